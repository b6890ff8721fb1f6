#!/usr/bin/env bash
# Re-records libvirt 9.0's QEMU driver's answers to the hand-written documents of
# tests/fixtures/qemu_corpus/misc/domain/*.xml (post-parse defaults and checks of NICs, chardevs,
# virtio-serial ports, audio, serial targets, shmem, security labels, NUMA, graphics, features,
# CPU and firmware that libvirt's own test inputs leave out) into
# tests/fixtures/qemu_corpus/misc.jsonl.gz, replayed by tests/drivers/qemu/misc_rules_test.ts.
# Each document is defined on the oracle's private session libvirtd (canon.sh --driver qemu
# --stable --json), read back and undefined, as record.sh does for libvirt's inputs.
#
# Usage (from anywhere): bash tests/tools/qemu_corpus/record_misc.sh
# ORACLE defaults to ../shared/oracle beside the checkout.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
oracle=$(cd "${ORACLE:-$root/../shared/oracle}" && pwd)
deno=(npx -y deno@2.9.6)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
docs="$root/tests/fixtures/qemu_corpus/misc"

# main.ts pack reads each folder's answers beside it: DIR/domain/ and DIR/domain.jsonl.
mkdir "$tmp/docs"
cp -r "$docs/domain" "$tmp/docs/"
cd "$docs"
# shellcheck source=../xmlgen/canon_batch.sh
. "$root/tests/tools/xmlgen/canon_batch.sh"
canon_kind domain --driver qemu >"$tmp/docs/domain.jsonl"
"${deno[@]}" run -A "$root/tests/tools/qemu_corpus/main.ts" pack "$tmp/docs" \
  "$root/tests/fixtures/qemu_corpus/misc.jsonl.gz"

# Their rows in tests/fixtures/SOURCES.tsv: the documents are the project's own.
cd "$root/tests/fixtures"
{
  grep -v "^qemu_corpus/misc" SOURCES.tsv
  for f in qemu_corpus/misc/domain/*.xml qemu_corpus/misc.jsonl.gz; do
    size=$("${deno[@]}" eval "console.log([...Deno.readTextFileSync('$f')].length)")
    if [ "$f" = qemu_corpus/misc.jsonl.gz ]; then
      origin='qemu_corpus/misc/domain/*.xml with libvirt 9.0.0 output: oracle/canon.sh --driver qemu --stable --json'
    else
      origin='edgevirt, written for record_misc.sh'
    fi
    printf '%s\t-\t%s\tv9.0.0\t%s\n' "$f" "$origin" "$size"
  done
} >"$tmp/SOURCES.tsv"
cp "$tmp/SOURCES.tsv" SOURCES.tsv
