#!/usr/bin/env bash
# Re-records libvirt 9.0's answers to libvirt's own XML test inputs (libvirt 9.0.0's tests/,
# from libvirt-source.sh) and updates their rows in tests/fixtures/SOURCES.tsv; replayed by
# tests/drivers/qemu/corpus_test.ts:
#
#   qemu: tests/qemuxml2argvdata/*.xml (every architecture), each defined on the oracle's private
#         session libvirtd (canon.sh --driver qemu --stable --json), read back and undefined,
#         into tests/fixtures/qemu_corpus/recorded.jsonl.gz. The answers depend on the host's
#         QEMU (7.2 here: its machine types, devices, CPU models) and on /dev/kvm (the daemon
#         runs as nobody, without it: type='kvm' is refused), as edgevirt's replay does.
#   qemu-other: the domains of libvirt's other QEMU and generic tests (qemuxml2xmloutdata,
#         qemuhotplugtestdomains, genericxml2xmlindata, domainschemadata) defined the same way,
#         into tests/fixtures/qemu_corpus/qemu_other.jsonl.gz (a check measured after the first:
#         none of these documents was looked at while the first was fixed).
#   session: the network, pool and secret inputs of libvirt's xml2xml tests defined on the same
#         session daemon (its network, storage and secret drivers; volumes are left out: they
#         would be made on the host), into tests/fixtures/qemu_corpus/session_drivers.jsonl.gz.
#   test: the domain, network, pool, volume, interface and secret inputs of libvirt's
#         xml2xml tests on canon.sh's default connection (the test driver, an empty node),
#         into tests/fixtures/qemu_corpus/test_driver.jsonl.gz.
#
# Usage (from anywhere): bash tests/tools/qemu_corpus/record.sh [qemu|qemu-other|session|test]
# (default: all)
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
mkdir -p "$out"
# shellcheck source=../xmlgen/canon_batch.sh
. "$root/tests/tools/xmlgen/canon_batch.sh"

# record NAME CANON-OPTIONS FOLDER...: FOLDER's inputs and answers packed into NAME.jsonl.gz.
record() {
  local name=$1 opts=$2 folder
  shift 2
  rm -rf "$tmp/docs" && mkdir -p "$tmp/docs"
  for folder in "$@"; do
    mkdir -p "$tmp/docs/$folder"
    cp "$src/tests/$folder"/*.xml "$tmp/docs/$folder/"
    # shellcheck disable=SC2086 # the options are words
    (cd "$tmp/docs" && canon_kind "$folder" $opts) >"$tmp/docs/$folder.jsonl"
  done
  "${deno[@]}" run -A "$root/tests/tools/qemu_corpus/main.ts" pack "$tmp/docs" "$out/$name.jsonl.gz"
  local rel="qemu_corpus/$name.jsonl.gz"
  local size
  size=$(cd "$root/tests/fixtures" && "${deno[@]}" eval "console.log([...Deno.readTextFileSync('$rel')].length)")
  {
    grep -v "^$rel	" "$root/tests/fixtures/SOURCES.tsv"
    printf '%s\t-\tlibvirt 9.0.0 tests/{%s}/*.xml (libvirt-source.sh) with libvirt 9.0.0 output: oracle/canon.sh %s--stable --json\tv9.0.0\t%s\n' \
      "$rel" "$(IFS=,; echo "$*")" "${opts:+$opts }" "$size"
  } >"$tmp/SOURCES.tsv"
  cp "$tmp/SOURCES.tsv" "$root/tests/fixtures/SOURCES.tsv"
}

which=${1:-all}
if [ "$which" = qemu ] || [ "$which" = all ]; then
  record recorded "--driver qemu" qemuxml2argvdata
fi
if [ "$which" = qemu-other ] || [ "$which" = all ]; then
  record qemu_other "--driver qemu" qemuxml2xmloutdata qemuhotplugtestdomains \
    genericxml2xmlindata domainschemadata
fi
if [ "$which" = session ] || [ "$which" = all ]; then
  record session_drivers "--driver qemu" networkxml2xmlin storagepoolxml2xmlin secretxml2xmlin
fi
if [ "$which" = test ] || [ "$which" = all ]; then
  record test_driver "" genericxml2xmlindata domainschemadata networkxml2xmlin \
    storagepoolxml2xmlin storagevolxml2xmlin interfaceschemadata secretxml2xmlin
fi
