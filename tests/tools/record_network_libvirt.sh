#!/usr/bin/env bash
# Records what a real root libvirtd 9.0 (oracle/install.sh --system) does for each network of
# tests/drivers/network/fixtures/cases/: the live XML, the dnsmasq files and command line, the
# bridge's addresses and routes, `iptables -S`/`ip6tables -S` while it runs and after
# net-destroy, and the XML of a port made for a guest NIC. libvirtd runs inside a network namespace this script creates and deletes
# (its network driver never sees the host's network), under the lock every developer takes
# around the one root libvirtd of the machine. Re-run it as root:
#   bash tests/tools/record_network_libvirt.sh
# It writes tests/drivers/network/fixtures/libvirt_system/ (read by network_oracle_test.ts).
# Then it starts the 'nat' case again and applies, one by one, the live net-updates of
# fixtures/update_steps.tsv (command, section, XML; tab-separated), recording after each into
# fixtures/libvirt_update/STEP.*: the live XML, the dnsmasq files, the rules, and whether
# dnsmasq was restarted (a new pid) or kept (a SIGHUP or nothing). `--updates` records only that.
# `--bandwidth` records only this: each network of fixtures/bandwidth_cases/ is started, and the
# `tc` commands libvirt ran (from its debug log) and its error, if any, go to
# fixtures/libvirt_bandwidth/NAME.tc and NAME.error (read by network_bandwidth_test.ts).
# `--floor` records only the ports with an inbound `floor` of fixtures/floor_cases/ (see
# record_network_floor.py) into fixtures/libvirt_floor/ (read by network_floor_test.ts). This
# kernel has no sfq qdisc and no fw classifier, which the network's own classes need before
# any floor can be plugged: for this recording only, the `tc` libvirtd finds first in its PATH
# is tc_stand_in.sh (pfifo for sfq unless a step wants the kernel's refusal, the fw filter taken
# as done), so the commands libvirt logs are its own and the kernel shapes what it can.
set -euo pipefail
here=$(cd "$(dirname "$0")/../drivers/network" && pwd)
out=$here/fixtures/libvirt_system
upd=$here/fixtures/libvirt_update
only_updates=false
only_bandwidth=false
only_floor=false
[ "${1:-}" = --updates ] && only_updates=true
[ "${1:-}" = --bandwidth ] && only_bandwidth=true
[ "${1:-}" = --floor ] && only_floor=true
wrap=$(mktemp -d)
log=$(mktemp)
[ "$(id -u)" = 0 ] || { echo "record_network_libvirt.sh: run as root" >&2; exit 2; }
exec 9>/tmp/edgevirt-root-libvirtd.lock
flock 9
ns=evr-$$
# A bounded wait: a virsh that hangs must not keep the lock every developer needs.
V=(timeout 60 ip netns exec "$ns" virsh -q -c qemu:///system)

cleanup() {
  [ -f /run/libvirtd.pid ] && kill "$(cat /run/libvirtd.pid)" 2>/dev/null || true
  sleep 1
  [ -f /run/virtlogd.pid ] && kill "$(cat /run/virtlogd.pid)" 2>/dev/null || true
  for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$log" "$wrap" /run/libvirt/network/floor /run/libvirt/network/floor-avg
}
trap cleanup EXIT

ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
# The existing host bridge a forward mode='bridge' network names.
ip netns exec "$ns" ip link add evrbr0 type bridge
ip netns exec "$ns" /usr/sbin/virtlogd -d
# tc_stand_in.sh as `tc`, for --floor: see its header.
ln -s "$(cd "$(dirname "$0")" && pwd)/tc_stand_in.sh" "$wrap/tc"
wrap_path=/usr/sbin:/usr/bin:/sbin:/bin
$only_floor && wrap_path=$wrap:$wrap_path
# The debug log of libvirt's commands shows the `tc` it runs for a network's bandwidth.
start_libvirtd() {
  ip netns exec "$ns" env PATH="$wrap_path" LIBVIRT_LOG_FILTERS=1:command \
    LIBVIRT_LOG_OUTPUTS="1:file:$log" /usr/sbin/libvirtd -d
  for _ in $(seq 100); do "${V[@]}" version >/dev/null 2>&1 && break; sleep 0.2; done
}
start_libvirtd

# NAME PREFIX: copies the non-empty dnsmasq files of network NAME to PREFIX.conf, .hostsfile, …
dnsmasq_files() {
  for ext in conf hostsfile addnhosts; do
    if [ -s "/var/lib/libvirt/dnsmasq/$1.$ext" ]; then cp "/var/lib/libvirt/dnsmasq/$1.$ext" "$2.$ext"; fi
  done
}
port_xml="<networkport><uuid>5d744f21-ba4a-4d6e-bdb2-30a35ff3207d</uuid><owner><name>vm1</name><uuid>d54df46f-1ab5-4a22-8618-4560ef5fac2c</uuid></owner><mac address='52:54:00:7b:35:93'/></networkport>"
rules() {
  for t in filter nat mangle; do echo "# $1 -t $t"; ip netns exec "$ns" "$1" -w -t "$t" -S; done
}
if $only_floor; then
  # The restart step: the daemon stopped and started again, its state files kept.
  export -f start_libvirtd
  export ns wrap_path log
  RECORD_RESTART='pid=$(cat /run/libvirtd.pid); kill $pid; while kill -0 $pid 2>/dev/null; do sleep 0.1; done; V=(timeout 60 ip netns exec "$ns" virsh -q -c qemu:///system); start_libvirtd' \
    /usr/bin/python3 "$(dirname "$0")/record_network_floor.py" "$here/fixtures/floor_cases" \
    "$log" "$ns" "$wrap/real-sfq"
  exit 0
fi
if $only_bandwidth; then
  bw=$here/fixtures/libvirt_bandwidth
  mkdir -p "$bw"
  rm -f "$bw"/*
  for f in "$here"/fixtures/bandwidth_cases/*.xml; do
    n=$(basename "$f" .xml)
    "${V[@]}" net-define "$f" >/dev/null
    seen=$(wc -l <"$log")
    if "${V[@]}" net-start "$n" >/dev/null 2>"$bw/$n.error"; then
      rm "$bw/$n.error"
      "${V[@]}" net-destroy "$n" >/dev/null
    fi
    tail -n +"$((seen + 1))" "$log" | sed -n 's/.*About to run \(LC_ALL=C \)\{0,1\}\(tc .*\)$/\2/p' >"$bw/$n.tc"
    "${V[@]}" net-undefine "$n" >/dev/null
  done
  echo "record_network_libvirt.sh: $(ls "$bw" | wc -l) files in $bw"
  exit 0
fi
$only_updates || {
mkdir -p "$out"
rm -f "$out"/*
for f in "$here"/fixtures/cases/*.xml; do
  n=$(basename "$f" .xml)
  "${V[@]}" net-define "$f" >/dev/null
  "${V[@]}" net-start "$n" >/dev/null
  "${V[@]}" net-dumpxml "$n" >"$out/$n.live.xml"
  dnsmasq_files "$n" "$out/$n"
  if [ -f "/run/libvirt/network/$n.pid" ]; then
    tr '\0' ' ' <"/proc/$(cat "/run/libvirt/network/$n.pid")/cmdline" | sed 's/ $/\n/' >"$out/$n.cmdline"
  fi
  br=$(sed -n "s/.*<bridge name='\([^']*\)'.*/\1/p" "$out/$n.live.xml")
  ip netns exec "$ns" ip -o addr show dev "$br" | awk '{print $3, $4, $5, $6}' >"$out/$n.addr"
  ip netns exec "$ns" ip route show dev "$br" >"$out/$n.routes"
  { rules iptables; rules ip6tables; } >"$out/$n.rules"
  /usr/bin/python3 - "$ns" "$n" "$port_xml" >"$out/$n.port.xml" <<'PY'
import sys, libvirt
conn = libvirt.open("qemu:///system")
net = conn.networkLookupByName(sys.argv[2])
port = net.portCreateXML(sys.argv[3])
sys.stdout.write(port.XMLDesc())
port.delete()
PY
  "${V[@]}" net-destroy "$n" >/dev/null
  { rules iptables; rules ip6tables; } >"$out/$n.rules-after"
  "${V[@]}" net-undefine "$n" >/dev/null
done
echo "record_network_libvirt.sh: $(ls "$out" | wc -l) files in $out"
}

mkdir -p "$upd"
rm -f "$upd"/*
"${V[@]}" net-define "$here/fixtures/cases/nat.xml" >/dev/null
"${V[@]}" net-start nat >/dev/null
pidfile=/run/libvirt/network/nat.pid
i=0
while IFS=$'\t' read -r -u 3 cmd section xml; do
  i=$((i + 1))
  step=$(printf '%02d' "$i")
  before=$(cat "$pidfile")
  "${V[@]}" net-update nat "$cmd" "$section" "$xml" --live >/dev/null
  if [ "$(cat "$pidfile" 2>/dev/null)" = "$before" ]; then echo kept; else echo restarted; fi >"$upd/$step.dnsmasq"
  "${V[@]}" net-dumpxml nat >"$upd/$step.live.xml"
  dnsmasq_files nat "$upd/$step"
  { rules iptables; rules ip6tables; } >"$upd/$step.rules"
done 3<"$here/fixtures/update_steps.tsv"
"${V[@]}" net-destroy nat >/dev/null
"${V[@]}" net-undefine nat >/dev/null
echo "record_network_libvirt.sh: $i update steps in $upd"
