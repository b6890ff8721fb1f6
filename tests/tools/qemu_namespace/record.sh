#!/usr/bin/env bash
# Re-records libvirt 9.0's answers to the QEMU XML namespace documents of cases.ts into
# tests/fixtures/qemu_namespace/{qemu,test}.jsonl.gz, replayed by
# tests/drivers/qemu/qemu_namespace_test.ts: each document defined, read back and undefined
# (canon.sh --stable --json) on libvirt's QEMU driver (the oracle's private session libvirtd)
# and on its test driver, which has no such namespace.
#
# Usage (from anywhere): bash tests/tools/qemu_namespace/record.sh
# ORACLE defaults to ../shared/oracle beside the checkout.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
oracle=$(cd "${ORACLE:-$root/../shared/oracle}" && pwd)
deno=(npx -y deno@2.9.6)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out="$root/tests/fixtures/qemu_namespace"
mkdir -p "$out"
"${deno[@]}" run -A "$root/tests/tools/qemu_namespace/cases.ts" "$tmp/docs"

cd "$tmp/docs"
# shellcheck source=../xmlgen/canon_batch.sh
. "$root/tests/tools/xmlgen/canon_batch.sh"
for driver in qemu test; do
  canon_kind domain --driver "$driver" >"$tmp/docs/domain.jsonl"
  "${deno[@]}" run -A "$root/tests/tools/qemu_corpus/main.ts" pack "$tmp/docs" \
    "$out/$driver.jsonl.gz"
done

cd "$root/tests/fixtures"
{
  grep -v "^qemu_namespace/" SOURCES.tsv
  for driver in qemu test; do
    rel=qemu_namespace/$driver.jsonl.gz
    size=$("${deno[@]}" eval "console.log([...Deno.readTextFileSync('$rel')].length)")
    printf '%s\t-\tlibvirt 9.0.0 output (%s driver) for tests/tools/qemu_namespace/cases.ts: oracle/canon.sh --driver %s --stable --json\t-\t%s\n' \
      "$rel" "$driver" "$driver" "$size"
  done
} >"$tmp/SOURCES.tsv"
cp "$tmp/SOURCES.tsv" SOURCES.tsv
echo "record: $(ls "$out")"
