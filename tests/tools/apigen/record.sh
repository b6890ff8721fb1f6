#!/usr/bin/env bash
# Re-records libvirt 9.0's output for the generated API sequences into
# tests/conformance/generated/recorded.jsonl.gz (replayed by
# tests/conformance/generated_api_test.ts).
#
#   1. tests/tools/apigen/main.ts write: the seeded scenario files (generate.ts: SEED, FILES,
#      OPS_PER_FILE), each on a fresh test:///default.
#   2. Each file runs RUNS times (default 3) through the oracle's scenario.py extended by
#      tests/tools/scenario_ext.py, in-process on test:///default. libvirt's own answers vary
#      between runs for a few ops (hash-table order of lists, counters and times taken from the
#      clock): the lines that differ between the runs are recorded as "unstable", and the first
#      run's lines are the recording.
#   3. main.ts pack: scenario text, lines and unstable line numbers into the recording.
#
# Usage (from anywhere): bash tests/tools/apigen/record.sh
# ORACLE defaults to ../shared/oracle beside the checkout. APIGEN_SEED=S APIGEN_OUT=FILE records a
# fresh corpus of seed S into FILE instead (the honest check that a fix is not fitted to the
# recording); replay it with `deno run -A tests/tools/apigen/compare.ts FILE`.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
oracle=$(cd "${ORACLE:-$root/../shared/oracle}" && pwd)
runs=${RUNS:-3}
deno=(npx -y deno@2.9.6)
py=/usr/bin/python3
if ! "$py" -c 'import libvirt' 2>/dev/null; then
  bash "$oracle/install.sh"
fi
export SCENARIO_PY="$oracle/scenario.py"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"${deno[@]}" run -A "$root/tests/tools/apigen/main.ts" write "$tmp/gen"
# Save and restore ops write and read files: they run in a scratch directory of their own.
mkdir -p "$tmp/cwd"
cd "$tmp/cwd"
for f in "$tmp"/gen/*.json; do
  base=${f%.json}
  for run in $(seq 1 "$runs"); do
    rm -f /tmp/apigen.save /tmp/apigen2.save
    "$py" "$root/tests/tools/scenario_ext.py" "$f" >"$base.run$run" 2>"$base.err" || {
      echo "record: $(basename "$f") run $run failed: $(tail -1 "$base.err")" >&2
      exit 1
    }
  done
  cp "$base.run1" "$base.jsonl"
  # unstable: 0-based line numbers (header = 0) where any run differs from the first
  for run in $(seq 2 "$runs"); do
    { diff <(cat -n "$base.run1") <(cat -n "$base.run$run") || true; } |
      sed -n 's/^< *\([0-9]*\)\t.*/\1/p'
  done | sort -nu | awk '{print $1 - 1}' >"$base.unstable"
done
rm -f /tmp/apigen.save /tmp/apigen2.save
recording=${APIGEN_OUT:-$root/tests/conformance/generated/recorded.jsonl.gz}
mkdir -p "$(dirname "$recording")"
"${deno[@]}" run -A "$root/tests/tools/apigen/main.ts" pack "$tmp/gen" "$recording"
echo "record: $(ls "$tmp"/gen/*.json | wc -l) files, $(cat "$tmp"/gen/*.unstable | wc -l) unstable lines"
