#!/usr/bin/env bash
# Re-records libvirt 9.0's QEMU driver's answers to libvirt's own QEMU test inputs
# (tests/qemuxml2argvdata/*.xml of libvirt 9.0.0, every architecture) into
# tests/fixtures/qemu_corpus/recorded.jsonl.gz, replayed by tests/drivers/qemu/corpus_test.ts,
# and updates its row in tests/fixtures/SOURCES.tsv. Each input is defined on the oracle's
# private session libvirtd (canon.sh --driver qemu --stable --json), read back and undefined:
# the answers depend on the host's QEMU (7.2 here: its machine types, devices, CPU models) and
# on /dev/kvm (absent here: type='kvm' is refused), as edgevirt's replay does.
#
# Usage (from anywhere): bash tests/tools/qemu_corpus/record.sh
# ORACLE defaults to ../shared/oracle beside the checkout; LIBVIRT_SRC to the folder
# libvirt-source.sh unpacks (fetched when unset).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
oracle=$(cd "${ORACLE:-$root/../shared/oracle}" && pwd)
deno=(npx -y deno@2.9.6)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=${LIBVIRT_SRC:-$(bash "$oracle/libvirt-source.sh" "$tmp/src" | tail -1)}
out="$root/tests/fixtures/qemu_corpus"
mkdir -p "$out" "$tmp/docs/domain"
cp "$src"/tests/qemuxml2argvdata/*.xml "$tmp/docs/domain/"

cd "$tmp/docs"
# shellcheck source=../xmlgen/canon_batch.sh
. "$root/tests/tools/xmlgen/canon_batch.sh"
canon_kind domain --driver qemu >"$tmp/domain.jsonl"
"${deno[@]}" run -A "$root/tests/tools/qemu_corpus/main.ts" pack "$tmp/docs" \
  "$out/recorded.jsonl.gz" "$tmp/domain.jsonl"

rel=qemu_corpus/recorded.jsonl.gz
cd "$root/tests/fixtures"
size=$("${deno[@]}" eval "console.log([...Deno.readTextFileSync('$rel')].length)")
{
  grep -v "^$rel	" SOURCES.tsv
  printf '%s\t-\tlibvirt 9.0.0 tests/qemuxml2argvdata/*.xml (libvirt-source.sh) with libvirt 9.0.0 output: oracle/canon.sh --driver qemu --stable --json\tv9.0.0\t%s\n' \
    "$rel" "$size"
} >"$tmp/SOURCES.tsv"
cp "$tmp/SOURCES.tsv" SOURCES.tsv
echo "record: $(du -h "$out/recorded.jsonl.gz" | cut -f1) in $out/recorded.jsonl.gz"
