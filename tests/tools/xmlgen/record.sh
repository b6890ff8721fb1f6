#!/usr/bin/env bash
# Re-records libvirt 9.0's answers to the generated XML corpus into
# tests/fixtures/xmlgen/recorded.jsonl.gz (replayed by tests/conf/generated_xml_test.ts), and
# updates their rows in tests/fixtures/SOURCES.tsv.
#
#   domain, network, pool, volume, interface, secret: the oracle's canon.sh --stable --json
#   nodedev, snapshot, checkpoint:                    record_other.py (python3-libvirt on
#                                                     test:///default; canon.sh cannot define them)
#
# Usage (from anywhere): bash tests/tools/xmlgen/record.sh [N]     (N documents, default 5000)
# ORACLE defaults to ../shared/oracle beside the checkout. XMLGEN_SEED=S XMLGEN_OUT=FILE records a
# fresh, coverage-directed corpus into FILE instead (the honest check that a fix is not fitted to
# the recording); replay it with compare.ts FILE. The directed corpus the tests replay is
#   XMLGEN_SEED=edgevirt-xmlgen-cov-1 XMLGEN_OUT=tests/fixtures/xmlgen/recorded_directed.jsonl.gz \
#     bash tests/tools/xmlgen/record.sh 2000       (listed in SOURCES.tsv like the default one)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
oracle=$(cd "${ORACLE:-$root/../shared/oracle}" && pwd)
n=${1:-5000}
deno=(npx -y deno@2.9.6)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out="$root/tests/fixtures/xmlgen"
recording=$(realpath -m "${XMLGEN_OUT:-$out/recorded.jsonl.gz}")
mkdir -p "$out"

# The schemas the generator reads, from the libvirt the oracle runs (the schemas of the kinds in
# tests/tools/xmlgen/kinds.ts and what they include), and domainbackup, which conf/backup's
# schema check is made from (kept, not generated from).
schemas=(basictypes cpu cputypes domain domainbackup domaincheckpoint domaincommon domainoverrides
  domainsnapshot
  inactiveDomain interface network networkcommon nodedev nwfilter nwfilter_params nwfilterbinding
  privatedata secret
  storagecommon storagepool storagevol)
rm -rf "$root/tests/fixtures/schemas"
mkdir -p "$root/tests/fixtures/schemas"
for s in "${schemas[@]}"; do
  cp "${SCHEMAS:-/usr/share/libvirt/schemas}/$s.rng" "$root/tests/fixtures/schemas/"
done

"${deno[@]}" run -A "$root/tests/tools/xmlgen/main.ts" write "$n" "$tmp/docs"
cd "$tmp/docs"
# shellcheck source=canon_batch.sh
. "$root/tests/tools/xmlgen/canon_batch.sh"
for kind in domain network pool volume interface secret; do
  if [ -d "$kind" ]; then canon_kind "$kind" >"$tmp/$kind.jsonl"; fi
done
/usr/bin/python3 "$root/tests/tools/xmlgen/record_other.py" nodedev/*.xml snapshot/*.xml \
  checkpoint/*.xml >"$tmp/other.jsonl" 2>"$tmp/other.log"
"${deno[@]}" run -A "$root/tests/tools/xmlgen/main.ts" pack "$tmp/docs" "$recording" \
  "$tmp"/*.jsonl

# A fresh corpus outside the fixtures is a check, not a fixture: nothing more to list.
rel=${recording#"$root/tests/fixtures/"}
if [ "$rel" = "$recording" ]; then
  echo "record: fresh corpus (seed ${XMLGEN_SEED:-default}) in $recording"
  exit 0
fi

# SOURCES.tsv: the recording and the schemas it was generated from, with their sizes (the
# other xmlgen rows are their own scripts').
cd "$root/tests/fixtures"
size() { "${deno[@]}" eval "console.log([...Deno.readTextFileSync('$1')].length)"; }
seed=""
[ -n "${XMLGEN_SEED:-}" ] && seed=" (XMLGEN_SEED=$XMLGEN_SEED, coverage-directed)"
{
  grep -v -e "^$rel	" -e '^schemas/' SOURCES.tsv
  printf '%s\t-\tlibvirt 9.0.0 output: oracle/canon.sh --stable --json, tests/tools/xmlgen/record_other.py%s\t-\t%s\n' \
    "$rel" "$seed" "$(size "$rel")"
  for f in schemas/*.rng; do
    printf '%s\t-\tlibvirt 9.0.0 src/conf/schemas/%s (Debian 12 libvirt0 9.0.0-4+deb12u2, /usr/share/libvirt/schemas)\tv9.0.0\t%s\n' \
      "$f" "${f#schemas/}" "$(LC_ALL=C.UTF-8 wc -m <"$f")"
  done
} >"$tmp/SOURCES.tsv"
cp "$tmp/SOURCES.tsv" SOURCES.tsv
echo "record: $(du -h "$recording" | cut -f1) in $recording"
