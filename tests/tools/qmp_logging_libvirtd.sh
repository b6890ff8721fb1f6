#!/bin/bash
# Sourced by the recorders that need libvirt's QMP traffic: starts a private session libvirtd
# as the oracle's daemon.sh starts one (as root, it runs as nobody), but logging its monitor at
# debug level (QEMU_MONITOR_SEND_MSG lines), and stops it on exit.
# usage: D=<world-writable temp dir>; . qmp_logging_libvirtd.sh
#        -> $URI (qemu+unix:///session on the daemon's socket), $LOG (its log file)
L="$D/daemon"
URI="qemu+unix:///session?socket=$L/sock/libvirt-sock"
LOG="$L/libvirtd.log"
qmp_libvirtd_stop() {
  for dom in $(virsh -c "$URI" list --name 2>/dev/null); do
    virsh -c "$URI" destroy "$dom" >/dev/null 2>&1 || true
  done
  [ -f "$L/libvirtd.pid" ] && kill "$(cat "$L/libvirtd.pid")" 2>/dev/null || true
  sleep 0.5
  rm -rf "$D"
}
trap qmp_libvirtd_stop EXIT
mkdir -p "$L"/{run,config,home,data,sock}
chmod 777 "$D" # the daemon (nobody when run as root) makes overlays here
chmod 755 "$L"
chmod 700 "$L/run"
cat >"$L/libvirtd.conf" <<CONF
unix_sock_dir = "$L/sock"
unix_sock_rw_perms = "0777"
auth_unix_rw = "none"
auth_unix_ro = "none"
listen_tls = 0
listen_tcp = 0
log_filters = "1:qemu.qemu_monitor 4:*"
log_outputs = "1:file:$LOG"
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
