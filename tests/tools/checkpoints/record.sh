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
L="$D/daemon"
cleanup() {
  virsh -c "qemu+unix:///session?socket=$L/sock/libvirt-sock" destroy hp >/dev/null 2>&1 || true
  [ -f "$L/libvirtd.pid" ] && kill "$(cat "$L/libvirtd.pid")" 2>/dev/null || true
  sleep 0.5
  rm -rf "$D"
}
trap cleanup EXIT
mkdir -p "$L"/{run,config,home,data,sock}
chmod 777 "$D" # the daemon (nobody when run as root) makes snapshot overlays here
chmod 755 "$L"
chmod 700 "$L/run"
qemu-img create -q -f qcow2 "$D/vda.qcow2" 16M
chmod 666 "$D/vda.qcow2"
# daemon.sh's configuration, plus the monitor at debug level (QEMU_MONITOR_SEND_MSG lines).
cat >"$L/libvirtd.conf" <<CONF
unix_sock_dir = "$L/sock"
unix_sock_rw_perms = "0777"
auth_unix_rw = "none"
auth_unix_ro = "none"
listen_tls = 0
listen_tcp = 0
log_filters = "1:qemu.qemu_monitor 4:*"
log_outputs = "1:file:$L/libvirtd.log"
CONF
cache=${ORACLE_LIBVIRT_CACHE-$TMPDIR/oracle-libvirt-cache}
mkdir -p "$cache"
drop=()
if [ "$(id -u)" = 0 ]; then
  chown -R nobody:nogroup "$L" "$cache"
  drop=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
fi
(cd "$L" && exec "${drop[@]}" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
  HOME="$L/home" XDG_RUNTIME_DIR="$L/run" XDG_CONFIG_HOME="$L/config" \
  XDG_CACHE_HOME="$cache" XDG_DATA_HOME="$L/data" \
  /usr/sbin/libvirtd -f "$L/libvirtd.conf" -p "$L/libvirtd.pid" >"$L/stdout.log" 2>&1) &
for _ in $(seq 1 100); do
  [ -S "$L/sock/libvirt-sock" ] && break
  sleep 0.05
done
/usr/bin/python3 "$HERE/record.py" "qemu+unix:///session?socket=$L/sock/libvirt-sock" \
  "$D" "$L/libvirtd.log" "$OUT"
