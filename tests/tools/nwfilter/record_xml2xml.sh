#!/usr/bin/env bash
# Records libvirt 9.0's answers (nwfilter-define, then XMLDesc, then undefine, through the
# oracle's canon.sh) to libvirt's own nwfilter test corpus, tests/nwfilterxml2xmlin/*.xml of the
# libvirt 9.0.0 source, copied into tests/fixtures/nwfilter/xml2xml/ with libvirt's expected
# outputs (tests/nwfilterxml2xmlout/) beside them, into answers.jsonl there; and to the
# hand-made documents of tests/fixtures/nwfilter/edge/ (the checks and corners the corpus misses),
# into edge/answers.jsonl, and with VIR_NWFILTER_DEFINE_VALIDATE into edge/answers_validate.jsonl.
# libvirt's built-in filters as that libvirtd saved them go into tests/fixtures/nwfilter/builtin/.
#
# nwfilters are refused in session mode, so this needs the root libvirtd of qemu:///system. When
# none runs, one is started for the recording in a network namespace of its own (it instantiates
# nothing: no binding exists) and stopped afterwards; filters it loads from /etc/libvirt/nwfilter
# are left as they are.
#
# Usage (as root): bash tests/tools/nwfilter/record_xml2xml.sh
# ORACLE defaults to ../shared/oracle beside the checkout, LIBVIRT_SRC to the unpacked source.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
oracle=$(cd "${ORACLE:-$root/../shared/oracle}" && pwd)
src=${LIBVIRT_SRC:-/work/libvirt-src/libvirt-9.0.0}
out="$root/tests/fixtures/nwfilter/xml2xml"
mkdir -p "$out/in" "$out/out"
cp "$src"/tests/nwfilterxml2xmlin/*.xml "$out/in/"
cp "$src"/tests/nwfilterxml2xmlout/*.xml "$out/out/"

pidfile=""
if ! virsh -q -c qemu:///system uri >/dev/null 2>&1; then
  pidfile=$(mktemp -d)/libvirtd.pid
  unshare -n -- /usr/sbin/libvirtd -d -p "$pidfile"
  for _ in $(seq 100); do virsh -q -c qemu:///system uri >/dev/null 2>&1 && break; sleep 0.1; done
fi
stop() { [ -n "$pidfile" ] && kill "$(cat "$pidfile")" && rm -r "${pidfile%/*}" || true; }
trap stop EXIT

edge="$root/tests/fixtures/nwfilter/edge"
# canon.sh exits 1 when some input is rejected: that is an answer, not a failure.
record() { # DIR OUT [canon options]
  local dir=$1 file=$2 rc=0
  shift 2
  (cd "$dir" && bash "$oracle/canon.sh" --uri qemu:///system --kind nwfilter --json "$@" ./*.xml) \
    >"$file" || rc=$?
  [ "$rc" -le 1 ]
  echo "record: $(wc -l <"$file") answers in $file"
}
record "$out/in" "$out/answers.jsonl"
# libvirt's built-in filters as the root libvirtd loaded them (each given a UUID and saved).
rm -rf "$root/tests/fixtures/nwfilter/builtin"
mkdir -p "$root/tests/fixtures/nwfilter/builtin"
cp /etc/libvirt/nwfilter/*.xml "$root/tests/fixtures/nwfilter/builtin/"
record "$edge" "$edge/answers.jsonl"
record "$edge" "$edge/answers_validate.jsonl" --validate

# SOURCES.tsv: libvirt's documents and expected outputs, and libvirt's answers, with their sizes.
cd "$root/tests/fixtures"
tmp=$(mktemp)
trap 'stop; rm -f "$tmp"' EXIT
{
  grep -v '^nwfilter/' SOURCES.tsv
  for f in nwfilter/xml2xml/in/*.xml nwfilter/xml2xml/out/*.xml nwfilter/xml2xml/answers.jsonl \
    nwfilter/edge/* nwfilter/builtin/*; do
    case $f in
      */edge/answers.jsonl) origin='libvirt 9.0.0 output: oracle/canon.sh --uri qemu:///system --kind nwfilter --json'; commit=- ;;
      */edge/answers_validate.jsonl) origin='libvirt 9.0.0 output: oracle/canon.sh --uri qemu:///system --kind nwfilter --json --validate'; commit=- ;;
      */builtin/*) origin="libvirt 9.0.0 output: /etc/libvirt/nwfilter/${f##*/} of the root libvirtd (src/nwfilter/xml/${f##*/} loaded and saved)"; commit=- ;;
      */edge/*) origin='edgevirt: a hand-made nwfilter document for one check or corner'; commit=- ;;
      */in/*) origin="libvirt/libvirt tests/nwfilterxml2xmlin/${f##*/}"; commit=0279a51b83e3711c3766cb9503becab3813dee95 ;;
      */out/*) origin="libvirt/libvirt tests/nwfilterxml2xmlout/${f##*/}"; commit=0279a51b83e3711c3766cb9503becab3813dee95 ;;
      *) origin='libvirt 9.0.0 output: oracle/canon.sh --uri qemu:///system --kind nwfilter --json'; commit=- ;;
    esac
    printf '%s\t-\t%s\t%s\t%s\n' "$f" "$origin" "$commit" "$(LC_ALL=C.UTF-8 wc -m <"$f")"
  done
} >"$tmp"
cp "$tmp" SOURCES.tsv
