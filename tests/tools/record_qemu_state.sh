#!/bin/bash
# Records tests/fixtures/oracle/scenarios/qemu-state.out.jsonl: the qemu-state scenario run by the
# oracle's scenario.py on libvirt 9.0's QEMU driver (a private session libvirtd from daemon.sh,
# QEMU 7.2 under TCG), its images in a fresh directory written @DIR@ in input and output.
# usage: tests/tools/record_qemu_state.sh [ORACLE_DIR]   (default ../shared/oracle)
set -euo pipefail
O=${1:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/oracle}
S=$(cd "$(dirname "$0")/../fixtures/oracle/scenarios" && pwd)
export TMPDIR=${TMPDIR:-/tmp}
D=$(mktemp -d "$TMPDIR/qs-XXXX")
trap 'bash "$O/daemon.sh" stop "$DIR" >/dev/null 2>&1 || true; rm -rf "$D"' EXIT
chmod 777 "$D" # libvirtd runs as nobody when started as root
for i in vda sdb; do qemu-img create -q -f qcow2 "$D/$i.qcow2" 16M; done
chmod 666 "$D"/*.qcow2
sed "s|@DIR@|$D|g" "$S/qemu-state.json" >"$D/scenario.json"
eval "$(bash "$O/daemon.sh" start)"
/usr/bin/python3 "$O/scenario.py" --uri "$URI_QEMU" --settle-ms 200 "$D/scenario.json" |
  sed "s|$D|@DIR@|g" >"$S/qemu-state.out.jsonl"
