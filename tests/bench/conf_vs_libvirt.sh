#!/usr/bin/env bash
# Times canonical XML per document, edgevirt vs libvirt 9.0, in one run on this machine: both
# tools get every accepted corpus input in ONE process (start-up excluded) and report per-file
# milliseconds (--time); the ratio compares the sums. Needs libvirt (../shared/oracle/install.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
SHARED=${EDGEVIRT_SHARED:-$(cd .. && pwd)/shared}
files=()
for kind in domain network pool interface; do
  for f in tests/fixtures/libvirt-xml/$kind/*.xml; do
    case "$f" in *.expected.xml) continue ;; esac
    [ -e "${f%.xml}.expected.xml" ] && files+=("$f")
  done
done
# npx cannot pass thousands of arguments on; ask it once where the deno binary is.
DENO_BIN=$(npx -y deno@2.9.6 eval 'console.log(Deno.execPath())')
sum_ms() { grep -E '^canon: .*: [a-z]+ [0-9.]+ ms$' | awk '{s += $(NF-1)} END {printf "%.2f", s}'; }
# Pass 1 is cold (each document once, so JIT warm-up counts against edgevirt); pass 2 gives both
# tools the corpus 30 times in one process: steady state, the cost per document in a long-lived
# gateway.
for reps in 1 30; do
  list=()
  for _ in $(seq "$reps"); do list+=("${files[@]}"); done
  lv=$(bash "$SHARED/oracle/canon.sh" --stable --time "${list[@]}" 2>&1 >/dev/null | sum_ms)
  ev=$("$DENO_BIN" run -A tests/tools/canon.ts --stable --time "${list[@]}" 2>&1 >/dev/null | sum_ms)
  awk -v n="${#list[@]}" -v lv="$lv" -v ev="$ev" -v r="$reps" 'BEGIN {
    printf "corpus x%d (%d documents): libvirt %.3f ms/doc, edgevirt %.3f ms/doc, ratio %.2f\n",
      r, n, lv / n, ev / n, ev / lv }'
done
