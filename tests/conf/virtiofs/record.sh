#!/usr/bin/env bash
# Records libvirt 9.0's test driver answer (canon.sh, define then inactive XML) for each virtiofs
# input here: <name>.expected.xml, or <name>.error.json (code, domain, message) when refused.
# Usage: O=../shared/oracle tests/conf/virtiofs/record.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
O=${O:-$(cd "$here/../../../.." && pwd)/shared/oracle}
for f in "$here"/*.xml; do
  case "$f" in *.expected.xml) continue ;; esac
  out=$(bash "$O/canon.sh" --json "$f" || true)
  /usr/bin/python3 - "$f" "$out" <<'PY'
import json, sys
f, out = sys.argv[1], json.loads(sys.argv[2])
base = f[:-4]
if out["ok"]:
    open(base + ".expected.xml", "w").write(out["xml"])
else:
    e = out["error"]
    json.dump({k: e[k] for k in ("code", "domain", "message")}, open(base + ".error.json", "w"))
    open(base + ".error.json", "a").write("\n")
PY
done
