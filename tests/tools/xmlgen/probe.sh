#!/usr/bin/env bash
# Probes libvirt 9.0 with focused documents, PER for every name each kind's schema allows
# (tests/tools/xmlgen/probe.ts), and prints where edgevirt answers differently, each example
# labelled with the name its document probes. A discovery run: nothing is written into the
# project (the documents and libvirt's answers, KIND.jsonl, stay in a scratch folder, or in
# PROBE_DIR when given).
#
# Usage (from anywhere): bash tests/tools/xmlgen/probe.sh [PER] [KIND...]   (default: 3, all)
# ORACLE defaults to ../shared/oracle beside the checkout; PROBE_DIR=DIR keeps the documents.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
oracle=$(cd "${ORACLE:-$root/../shared/oracle}" && pwd)
per=${1:-3}
shift || true
kinds=("$@")
[ ${#kinds[@]} -gt 0 ] || kinds=(domain network pool volume secret interface nodedev snapshot checkpoint)
deno=(npx -y deno@2.9.6)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dir=${PROBE_DIR:-$tmp/docs}
"${deno[@]}" run -A "$root/tests/tools/xmlgen/probe.ts" write "$dir" "$per" "${kinds[@]}"
cd "$dir"
# shellcheck source=canon_batch.sh
. "$root/tests/tools/xmlgen/canon_batch.sh"
for kind in "${kinds[@]}"; do
  case $kind in
  nodedev | snapshot | checkpoint)
    /usr/bin/python3 "$root/tests/tools/xmlgen/record_other.py" "$kind"/*.xml >"$dir/$kind.jsonl" \
      2>>"$tmp/other.log"
    ;;
  *) canon_kind "$kind" >"$dir/$kind.jsonl" ;;
  esac
done
"${deno[@]}" run -A "$root/tests/tools/xmlgen/probe.ts" compare "$dir" "$dir"/*.jsonl
