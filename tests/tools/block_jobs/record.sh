#!/bin/bash
# Records tests/fixtures/oracle/block_jobs.json: libvirt 9.0's QEMU driver (a private session
# libvirtd from the oracle's daemon.sh, QEMU 7.2 under TCG, no guest OS) making external
# disk-only snapshots and running block jobs on a qcow2 disk, through python-libvirt.
# usage: tests/tools/block_jobs/record.sh [ORACLE_DIR]   (default ../shared/oracle)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
O=${1:-$(cd "$HERE/../../../.." && pwd)/shared/oracle}
OUT=$(cd "$HERE/../../fixtures/oracle" && pwd)/block_jobs.json
export TMPDIR=${TMPDIR:-/tmp}
D=$(mktemp -d "$TMPDIR/qb-XXXX")
trap 'bash "$O/daemon.sh" stop "$DIR" >/dev/null 2>&1 || true; rm -rf "$D"' EXIT
chmod 777 "$D" # libvirtd runs as nobody when started as root
qemu-img create -q -f qcow2 "$D/vda.qcow2" 16M
qemu-img create -q -f qcow2 "$D/t.qcow2" 16M
qemu-img create -q -f raw "$D/ro.img" 1M
chmod 666 "$D"/*
cat >"$D/dom.xml" <<XML
<domain type='qemu'><name>qb</name><uuid>33333333-2222-3333-4444-777777777777</uuid>
<memory unit='MiB'>128</memory><vcpu placement='static'>1</vcpu>
<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>
<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='$D/vda.qcow2'/>
<target dev='vda' bus='virtio'/></disk><memballoon model='none'/></devices></domain>
XML
eval "$(bash "$O/daemon.sh" start)"
/usr/bin/python3 "$HERE/record.py" "$URI_QEMU" "$D" "$OUT"
