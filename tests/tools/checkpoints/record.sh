#!/bin/bash
# Records tests/fixtures/oracle/checkpoints.json: libvirt 9.0's QEMU driver (a private session
# libvirtd started as the oracle's daemon.sh starts one, but logging its QMP monitor traffic;
# QEMU 7.2 under TCG, no guest OS) creating, listing, sizing, redefining and deleting checkpoints
# of the fake-QMP harness's domain (tests/drivers/qemu/fake_qmp/block_harness.ts, vda qcow2),
# and carrying them through external snapshots, block commits, a pull and a copy, through
# python-libvirt: each step's answer or error and the QMP commands it sent.
# usage: tests/tools/checkpoints/record.sh [ORACLE_DIR]   (default ../shared/oracle; as root)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
O=${1:-$(cd "$HERE/../../../.." && pwd)/shared/oracle}
OUT=$(cd "$HERE/../../fixtures/oracle" && pwd)/checkpoints.json
export TMPDIR=${TMPDIR:-/tmp}
D=$(mktemp -d "$TMPDIR/ck-XXXX")
qemu-img create -q -f qcow2 "$D/vda.qcow2" 16M
chmod 666 "$D/vda.qcow2"
. "$HERE/../qmp_logging_libvirtd.sh"
/usr/bin/python3 "$HERE/record.py" "$URI" "$D" "$LOG" "$OUT"
