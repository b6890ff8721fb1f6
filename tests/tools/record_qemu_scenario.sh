#!/bin/bash
# Records tests/fixtures/oracle/scenarios/NAME.out.jsonl for each NAME given (default: the ones
# below): the scenario NAME.json run by the oracle's scenario.py (through
# tests/tools/scenario_ext.py, for its "args") on libvirt 9.0's QEMU driver (a private session
# libvirtd from daemon.sh, QEMU 7.2 under TCG), its images (vda.qcow2, 16 MiB) in a fresh
# directory written @DIR@ in input and output. tests/drivers/qemu/scenario_test.ts replays them.
# usage: tests/tools/record_qemu_scenario.sh [NAME...]   (ORACLE defaults to ../shared/oracle)
set -euo pipefail
T=$(cd "$(dirname "$0")" && pwd)
O=$(cd "${ORACLE:-$T/../../../shared/oracle}" && pwd)
S=$(cd "$T/../fixtures/oracle/scenarios" && pwd)
export TMPDIR=${TMPDIR:-/tmp}
D=$(mktemp -d "$TMPDIR/qsc-XXXX")
trap 'bash "$O/daemon.sh" stop "$DIR" >/dev/null 2>&1 || true; rm -rf "$D"' EXIT
chmod 777 "$D" # libvirtd runs as nobody when started as root
eval "$(bash "$O/daemon.sh" start)"
for name in "${@:-qemu-migration-tunables qemu-block-threshold}"; do
  for n in $name; do
    rm -f "$D"/*.qcow2
    qemu-img create -q -f qcow2 "$D/vda.qcow2" 16M
    chmod 666 "$D"/*.qcow2
    sed "s|@DIR@|$D|g" "$S/$n.json" >"$D/scenario.json"
    SCENARIO_PY="$O/scenario.py" /usr/bin/python3 "$T/scenario_ext.py" --uri "$URI_QEMU" \
      --settle-ms 200 "$D/scenario.json" | sed "s|$D|@DIR@|g" >"$S/$n.out.jsonl"
  done
done
