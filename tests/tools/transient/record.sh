#!/bin/bash
# Records tests/fixtures/oracle/transient_disks.json: libvirt 9.0's QEMU driver (a private
# session libvirtd logging its monitor, QEMU 7.2 under TCG, no guest OS) refusing the
# <transient/> disks it cannot honour, starting a domain with transient disks (their
# .TRANSIENT-<name> overlays made before the vCPUs run), hot(un)plugging one, refusing what
# transient disks forbid, and removing the overlays when the domain stops (destroy, crash),
# through python-libvirt: each step's answer or error, the QMP it sent, the live XML.
# usage: tests/tools/transient/record.sh   (as root; needs libvirt 9.0, python3-libvirt, QEMU)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(cd "$HERE/../../fixtures/oracle" && pwd)/transient_disks.json
export TMPDIR=${TMPDIR:-/tmp}
D=$(mktemp -d "$TMPDIR/tr-XXXX")
qemu-img create -q -f qcow2 "$D/vda.qcow2" 16M
qemu-img create -q -f raw "$D/vdb.img" 8M
qemu-img create -q -f raw "$D/vdc.img" 4M
chmod 666 "$D"/*
. "$HERE/../qmp_logging_libvirtd.sh"
/usr/bin/python3 "$HERE/record.py" "$URI" "$D" "$LOG" "$OUT"
