#!/usr/bin/env bash
# Records libvirt 9.0's answers to the hand-made regression documents of the generated-XML
# differences (tests/fixtures/xmlgen/regressions/*.xml: each the smallest document showing one
# cause fixed) into tests/fixtures/xmlgen/regressions/answers.jsonl, replayed by
# tests/conf/xml_regressions_test.ts, and lists them in tests/fixtures/SOURCES.tsv.
#
# Usage (from anywhere): bash tests/tools/xmlgen/record_regressions.sh
# ORACLE defaults to ../shared/oracle beside the checkout.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
oracle=$(cd "${ORACLE:-$root/../shared/oracle}" && pwd)
cd "$root/tests/fixtures/xmlgen/regressions"
# canon.sh exits 1 when some input is rejected: that is an answer, not a failure.
rc=0
bash "$oracle/canon.sh" --stable --json ./*.xml >answers.jsonl || rc=$?
[ "$rc" -le 1 ]
echo "record: $(wc -l <answers.jsonl) answers in $PWD/answers.jsonl"

# SOURCES.tsv: the documents (made here) and libvirt's answers, with their sizes.
cd "$root/tests/fixtures"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
{
  grep -v '^xmlgen/regressions/' SOURCES.tsv
  for f in xmlgen/regressions/*; do
    origin='edgevirt: the smallest document showing one fixed generated-XML difference'
    [ "${f##*/}" = answers.jsonl ] && origin='libvirt 9.0.0 output: oracle/canon.sh --stable --json'
    printf '%s\t-\t%s\t-\t%s\n' "$f" "$origin" "$(LC_ALL=C.UTF-8 wc -m <"$f")"
  done
} >"$tmp"
cp "$tmp" SOURCES.tsv
