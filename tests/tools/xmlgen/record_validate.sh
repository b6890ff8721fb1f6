#!/usr/bin/env bash
# Re-records libvirt 9.0's answers to the VALIDATE corpora (tests/tools/xmlgen/validate_corpus.ts)
# into tests/fixtures/xmlgen/KIND_validate.jsonl.gz, replayed by tests/conf/*_validate_test.ts,
# and updates their rows in tests/fixtures/SOURCES.tsv:
#
#   nodedev, snapshot, checkpoint:   record_other.py --validate (python3-libvirt, test:///default)
#   cpu:                             record_other.py --validate (compareCPU on the QEMU driver of
#                                    a private daemon.sh libvirtd)
#   domain, network, pool, volume,   the oracle's canon.sh --stable --validate --json
#   secret, interface
#
# Usage (from anywhere): bash tests/tools/xmlgen/record_validate.sh [KIND...]   (default: all;
# each kind's size is VALIDATE_SIZES in validate_corpus.ts). ORACLE defaults to ../shared/oracle.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
oracle=$(cd "${ORACLE:-$root/../shared/oracle}" && pwd)
deno=(npx -y deno@2.9.6)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
corpus="$root/tests/tools/xmlgen/validate_corpus.ts"
kinds=("$@")
[ ${#kinds[@]} -gt 0 ] || kinds=(nodedev domain network pool volume secret interface snapshot checkpoint cpu)

# shellcheck source=canon_batch.sh
. "$root/tests/tools/xmlgen/canon_batch.sh"
for kind in "${kinds[@]}"; do
  n=$("${deno[@]}" eval "import { VALIDATE_SIZES } from 'file://$corpus'; console.log(VALIDATE_SIZES['$kind'])")
  "${deno[@]}" run -A "$corpus" write "$n" "$tmp/docs" "$kind"
  if [ "$kind" = cpu ]; then
    daemon=$(bash "$oracle/daemon.sh" start)
    eval "$daemon"
    (cd "$tmp/docs" && ORACLE_QEMU_URI=$URI_QEMU /usr/bin/python3 \
      "$root/tests/tools/xmlgen/record_other.py" --validate cpu/*.xml >"$tmp/$kind.jsonl")
    bash "$oracle/daemon.sh" stop "$DIR" >/dev/null
  elif [[ $kind =~ ^(nodedev|snapshot|checkpoint)$ ]]; then
    (cd "$tmp/docs" && /usr/bin/python3 "$root/tests/tools/xmlgen/record_other.py" --validate \
      "$kind"/*.xml >"$tmp/$kind.jsonl")
  else
    (cd "$tmp/docs" && canon_kind "$kind" --validate >"$tmp/$kind.jsonl")
  fi
  "${deno[@]}" run -A "$corpus" pack "$tmp/docs" "$kind" \
    "$root/tests/fixtures/xmlgen/${kind}_validate.jsonl.gz" "$tmp/$kind.jsonl"
done

cd "$root/tests/fixtures"
{
  grep -v '^xmlgen/[a-z]*_validate\.jsonl\.gz' SOURCES.tsv
  for f in xmlgen/*_validate.jsonl.gz; do
    how="oracle/canon.sh --stable --validate --json"
    [ "$f" = xmlgen/cpu_validate.jsonl.gz ] &&
      how="tests/tools/xmlgen/record_other.py --validate (python3-libvirt, compareCPU on the QEMU driver)"
    [[ $f =~ ^xmlgen/(nodedev|snapshot|checkpoint)_ ]] &&
      how="tests/tools/xmlgen/record_other.py --validate (python3-libvirt, test:///default)"
    chars=$("${deno[@]}" eval "console.log([...Deno.readTextFileSync('$f')].length)")
    printf '%s\t-\tlibvirt 9.0.0 output: %s\t-\t%s\n' "$f" "$how" "$chars"
  done
} >"$tmp/SOURCES.tsv"
cp "$tmp/SOURCES.tsv" SOURCES.tsv
echo "record_validate: ${kinds[*]} in tests/fixtures/xmlgen"
