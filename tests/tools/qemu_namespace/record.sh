#!/usr/bin/env bash
# Re-records libvirt 9.0's answers to the QEMU XML namespace documents of cases.ts into
# tests/fixtures/qemu_namespace/{qemu,test,qemu_validate}.jsonl.gz, replayed by
# tests/drivers/qemu/qemu_namespace_test.ts: each document defined, read back and undefined
# (canon.sh --stable --json) on libvirt's QEMU driver (the oracle's private session libvirtd),
# on its test driver, which has no such namespace, and on the QEMU driver with VALIDATE (the
# schema's rules for the namespace first).
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
# NAME CANON-OPTION...: the answers packed into NAME.jsonl.gz.
runs=("qemu --driver qemu" "test --driver test" "qemu_validate --driver qemu --validate")
for run in "${runs[@]}"; do
  read -r -a words <<<"$run"
  canon_kind domain "${words[@]:1}" >"$tmp/docs/domain.jsonl"
  "${deno[@]}" run -A "$root/tests/tools/qemu_corpus/main.ts" pack "$tmp/docs" \
    "$out/${words[0]}.jsonl.gz"
done

cd "$root/tests/fixtures"
{
  grep -v "^qemu_namespace/[a-z_]*\.jsonl\.gz	" SOURCES.tsv
  for run in "${runs[@]}"; do
    read -r -a words <<<"$run"
    rel=qemu_namespace/${words[0]}.jsonl.gz
    size=$("${deno[@]}" eval "console.log([...Deno.readTextFileSync('$rel')].length)")
    printf '%s\t-\tlibvirt 9.0.0 output for tests/tools/qemu_namespace/cases.ts: oracle/canon.sh %s --stable --json\t-\t%s\n' \
      "$rel" "${words[*]:1}" "$size"
  done
} >"$tmp/SOURCES.tsv"
cp "$tmp/SOURCES.tsv" SOURCES.tsv
echo "record: $(ls "$out")"
