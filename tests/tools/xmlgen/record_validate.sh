#!/usr/bin/env bash
# Re-records libvirt 9.0's answers to the node device VALIDATE corpus
# (tests/tools/xmlgen/validate_corpus.ts) into tests/fixtures/xmlgen/nodedev_validate.jsonl.gz,
# replayed by tests/conf/node_device_validate_test.ts, and updates its row in
# tests/fixtures/SOURCES.tsv. Needs python3-libvirt (test:///default, no daemon).
#
# Usage (from anywhere): bash tests/tools/xmlgen/record_validate.sh [N]   (default 600)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
n=${1:-600}
deno=(npx -y deno@2.9.6)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=tests/fixtures/xmlgen/nodedev_validate.jsonl.gz

"${deno[@]}" run -A "$root/tests/tools/xmlgen/validate_corpus.ts" write "$n" "$tmp/docs"
(cd "$tmp/docs" && /usr/bin/python3 "$root/tests/tools/xmlgen/record_other.py" --validate \
  nodedev/*.xml >"$tmp/answers.jsonl")
"${deno[@]}" run -A "$root/tests/tools/xmlgen/validate_corpus.ts" pack "$tmp/docs" "$root/$out" \
  "$tmp/answers.jsonl"

cd "$root/tests/fixtures"
chars=$("${deno[@]}" eval "console.log([...Deno.readTextFileSync('xmlgen/nodedev_validate.jsonl.gz')].length)")
{
  grep -v '^xmlgen/nodedev_validate\.jsonl\.gz' SOURCES.tsv
  printf 'xmlgen/nodedev_validate.jsonl.gz\t-\tlibvirt 9.0.0 output: tests/tools/xmlgen/record_other.py --validate (python3-libvirt, test:///default)\t-\t%s\n' "$chars"
} >"$tmp/SOURCES.tsv"
cp "$tmp/SOURCES.tsv" SOURCES.tsv
echo "record_validate: $(du -h "$root/$out" | cut -f1) in $out"
