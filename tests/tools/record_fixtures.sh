#!/usr/bin/env bash
# Copies the reference data the tests replay from the shared reference folder into
# tests/fixtures/, so that a clone of the project tests without it, and rewrites
# tests/fixtures/SOURCES.tsv: one row per copied file with its path in the shared folder and its
# upstream origin (tests/fixtures/SOURCES.md explains the columns and the licence).
#
# Copied, and only what a test reads:
#   libvirt-xml/          libvirt's XML corpus with libvirt 9.0's answers (every kind, every file)
#   qemuhotplugtestcpus/  the x86 cases of libvirt's vCPU hotplug data that
#                         tests/drivers/qemu/hotplug_data_test.ts replays
#   oracle/canon/         canon.sh's recorded example runs (tests/conf/canon_cli_test.ts)
#   oracle/scenarios/     the qemu-vcpus scenario and its output (tests/drivers/qemu/scenario_test.ts)
#
# Usage (from anywhere): SHARED=/path/to/shared bash tests/tools/record_fixtures.sh
# SHARED defaults to ../shared beside the checkout.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
shared=$(cd "${SHARED:-$root/../shared}" && pwd)
out="$root/tests/fixtures"
data="$shared/data"

# The hotplug cases the test runs; x86-old-bulk only lends its domain to the two cases that
# have none of their own.
hotplug_cases=(x86-modern-bulk x86-modern-individual-add x86-modern-individual-del-async
  x86-modern-bulk-downscale-async)

# Rows of fixtures other scripts record (tests/tools/xmlgen/record.sh: schemas/, xmlgen/;
# tests/tools/record_qemu_host.sh: qemu_host/; tests/tools/qemu_corpus/record.sh: qemu_corpus/)
# stay.
kept=$(grep -e '^schemas/' -e '^xmlgen/' -e '^libvirt/' -e '^qemu_host/' -e '^qemu_corpus/' \
  "$out/SOURCES.tsv" 2>/dev/null || true)
rm -rf "$out/libvirt-xml" "$out/qemuhotplugtestcpus" "$out/oracle"
mkdir -p "$out/qemuhotplugtestcpus" "$out/oracle/canon/expected" "$out/oracle/scenarios"

# shared-relative paths, one a line, in copy order
list() {
  (cd "$shared" && find data/libvirt-xml -mindepth 2 -type f -name '*.xml' -o -mindepth 2 \
    -type f -name '*.json' | LC_ALL=C sort)
  for c in "${hotplug_cases[@]}"; do
    (cd "$shared" && ls data/qemuhotplugtestcpus/"$c"-{domain.xml,monitor.json,result-*.xml} \
      2>/dev/null) || true
  done
  echo data/qemuhotplugtestcpus/x86-old-bulk-domain.xml
  (cd "$shared" && ls oracle/examples/canon/*.xml oracle/examples/canon/expected/*)
  echo oracle/examples/scenarios/qemu-vcpus.json
  echo oracle/examples/scenarios/qemu-vcpus.out.jsonl
}

# project-relative destination of a shared-relative path
dest() {
  case "$1" in
    data/*) echo "${1#data/}" ;;
    oracle/examples/*) echo "oracle/${1#oracle/examples/}" ;;
  esac
}

# upstream file and commit of a shared-relative path, tab-separated
origin() {
  case "$1" in
    data/*.expected.xml | data/*.expected-error.json)
      printf 'libvirt 9.0.0 output: oracle/canon.sh --stable --json\t-' ;;
    data/*)
      awk -F'\t' -v f="${1#data/}" '$1 == f { printf "libvirt/libvirt %s\t%s", $2, $3 }' \
        "$data/SOURCES.tsv" ;;
    oracle/examples/scenarios/*.out.jsonl)
      printf 'libvirt 9.0.0 + QEMU 7.2 output: oracle/scenario.py\t-' ;;
    oracle/examples/*/expected/*) printf 'libvirt 9.0.0 output: oracle/canon.sh --stable\t-' ;;
    oracle/examples/*) printf 'oracle example input\t-' ;;
  esac
}

{
  printf 'local_file\tshared_file\tupstream_file\tupstream_commit\tsize_chars\n'
  list | while read -r f; do
    d=$(dest "$f")
    mkdir -p "$(dirname "$out/$d")"
    cp "$shared/$f" "$out/$d"
    chmod u+w "$out/$d"
    printf '%s\t%s\t%s\t%s\n' "$d" "$f" "$(origin "$f")" "$(LC_ALL=C.UTF-8 wc -m <"$out/$d")"
  done
  [ -z "$kept" ] || printf '%s\n' "$kept"
} >"$out/SOURCES.tsv"
echo "record_fixtures: $(($(wc -l <"$out/SOURCES.tsv") - 1)) files in $out"
