#!/usr/bin/env bash
# Records tests/conformance/golden/<name>.jsonl from real libvirt 9.0 for every scenario in
# tests/conformance/scenarios/ (or only the names given as arguments), with the oracle's
# scenario.py extended by tests/tools/scenario_ext.py. Re-runnable: installs the oracle's
# packages only when python3-libvirt is missing. Every scenario runs twice and the two outputs
# must be identical, so a nondeterministic scenario fails here instead of in the test.
#
# URIs: a scenario runs on test:///default unless tests/conformance/uris.json maps its name to
# another URI; "{nodes}" in it stands for the absolute path of tests/conformance/nodes. The
# goldens store that absolute path as "{nodes}" again, so they do not depend on where the
# checkout lives; tests/conformance/conformance_test.ts applies the same substitution.
#
# Also records golden/pyjson.jsonl: Python's json.dumps of each line of pyjson_cases.txt, which
# tests/conformance/py_json_test.ts compares with the TypeScript runner's formatter.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
conf="$root/tests/conformance"
nodes="$conf/nodes"
oracle="${ORACLE_DIR:-$root/../shared/oracle}"
py=/usr/bin/python3

if ! "$py" -c 'import libvirt' 2>/dev/null; then
  bash "$oracle/install.sh"
fi
export SCENARIO_PY="$oracle/scenario.py"

uri_of() {
  "$py" - "$conf/uris.json" "$1" "$nodes" <<'PY'
import json, sys
uris = json.load(open(sys.argv[1], encoding='utf-8'))
print(uris.get(sys.argv[2], 'test:///default').replace('{nodes}', sys.argv[3]))
PY
}

if [ "$#" -gt 0 ]; then
  names=("$@")
else
  names=()
  for f in "$conf"/scenarios/*.json; do names+=("$(basename "$f" .json)"); done
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$conf/golden"
failed=0
for name in "${names[@]}"; do
  uri=$(uri_of "$name")
  for run in 1 2; do
    if ! "$py" "$here/scenario_ext.py" --uri "$uri" "$conf/scenarios/$name.json" \
      >"$tmp/$name.$run" 2>"$tmp/$name.err"; then
      echo "record_goldens: $name: scenario runner failed:" >&2
      cat "$tmp/$name.err" >&2
      failed=1
      continue 2
    fi
  done
  if ! cmp -s "$tmp/$name.1" "$tmp/$name.2"; then
    echo "record_goldens: $name: output differs between two runs (nondeterministic):" >&2
    diff "$tmp/$name.1" "$tmp/$name.2" | head -n 6 >&2 || true
    failed=1
    continue
  fi
  sed "s|$nodes|{nodes}|g" "$tmp/$name.1" >"$conf/golden/$name.jsonl"
  echo "recorded $name ($(($(wc -l <"$conf/golden/$name.jsonl") - 1)) ops)"
done

"$py" - "$conf/pyjson_cases.txt" >"$conf/golden/pyjson.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding='utf-8'):
    if line.strip():
        print(json.dumps(json.loads(line)))
PY
echo "recorded pyjson"
exit "$failed"
