#!/bin/bash
# Records what real libvirt 9.0 (the root libvirtd of ../shared/oracle/install.sh --system)
# says about this machine's node devices and host interfaces, and a text snapshot of the sysfs
# it read, into tests/fixtures/nodedev/:
#   libvirt.json   {"nodedev": {list, tree, caps: {CAP: [names]}, devices: {NAME: {xml, parent,
#                   caps}}}, "iface": {list_all, list_active, xml: {NAME: xml}}}
#   snapshot.json  the sysfs files libvirt's udev backends read, as text, and the interfaces'
#                  offload features (see snapshot_sysfs.py)
# The daemon runs only inside a network namespace made here (never the host's: its network
# driver would change the host), under the machine-wide lock of the root libvirtd, so net
# devices and interfaces are the namespace's: lo, a veth pair and a bridge made here with fixed
# MACs. Everything started here is stopped and the namespace deleted, also on failure.
#
# Usage (root, from anywhere): bash tests/tools/record_nodedev.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=tests/fixtures/nodedev
NS=evr-nodedev-$$
[ "$(id -u)" = 0 ] || { echo "record_nodedev: needs root" >&2; exit 2; }
command -v libvirtd >/dev/null || { echo "record_nodedev: run ../shared/oracle/install.sh --system" >&2; exit 2; }

exec 9>/tmp/edgevirt-root-libvirtd.lock
flock 9

in_ns() { ip netns exec "$NS" "$@"; }
cleanup() {
  for pidfile in /run/libvirtd.pid /run/virtlogd.pid; do
    [ -s "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  sleep 1
  ip netns del "$NS" 2>/dev/null || true
}
trap cleanup EXIT

ip netns add "$NS"
in_ns ip link set lo up
in_ns ip link add evr0 address 52:54:00:0e:00:01 type veth peer name evr1 address 52:54:00:0e:00:02
in_ns ip link add evrbr0 address 52:54:00:0e:00:10 type bridge
in_ns ip link set evr1 master evrbr0
in_ns ip link set evr0 mtu 1400
in_ns ip link set evr0 up
in_ns ip link set evr1 up
in_ns ip link set evrbr0 up
in_ns ip addr add 192.0.2.1/24 dev evrbr0
in_ns ip addr add 2001:db8::1/64 dev evrbr0 nodad

in_ns virtlogd -d
in_ns libvirtd -d
for _ in $(seq 50); do [ -S /run/libvirt/libvirt-sock ] && break; sleep 0.2; done

mkdir -p "$OUT"
in_ns /usr/bin/python3 tests/tools/snapshot_sysfs.py "$OUT/snapshot.json"
in_ns /usr/bin/python3 - "$OUT/libvirt.json" <<'PY'
import json, subprocess, sys
import libvirt

def virsh(*args):
    return subprocess.run(["virsh", "-c", "qemu:///system", *args], check=True,
                          capture_output=True, text=True).stdout

conn = libvirt.open("qemu:///system")
names = conn.listDevices(None, 0)
caps = {}
for cap in ["system", "pci", "usb_device", "usb", "net", "scsi_host", "scsi_target", "scsi",
            "storage", "fc_host", "vports", "scsi_generic", "drm", "mdev_types", "mdev",
            "ccw", "css", "vdpa", "ap_card", "ap_queue", "ap_matrix", "vpd"]:
    caps[cap] = sorted(conn.listDevices(cap, 0))  # libvirt lists in its hash order
devices = {}
for name in names:
    dev = conn.nodeDeviceLookupByName(name)
    devices[name] = {"xml": dev.XMLDesc(0), "parent": dev.parent(), "caps": dev.listCaps()}
ifaces = {i.name(): i.XMLDesc(0) for i in conn.listAllInterfaces(0)}
out = {
    "libvirt": conn.getLibVersion(),
    "nodedev": {"list": virsh("nodedev-list"), "tree": virsh("nodedev-list", "--tree"),
                "caps": caps, "devices": devices},
    "iface": {"list_all": virsh("iface-list", "--all"), "list_active": virsh("iface-list"),
              "xml": ifaces,
              "xml_inactive": {n: conn.interfaceLookupByName(n).XMLDesc(libvirt.VIR_INTERFACE_XML_INACTIVE) for n in ifaces}},
}
with open(sys.argv[1], "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
    f.write("\n")
PY
# One row per fixture in SOURCES.tsv, with its size in characters.
/usr/bin/python3 - <<'PY'
rows = {
    "nodedev/libvirt.json": "libvirt 9.0.0 output on the recording machine: "
                            "tests/tools/record_nodedev.sh (virsh + python-libvirt, qemu:///system)",
    "nodedev/snapshot.json": "sysfs of the recording machine: tests/tools/snapshot_sysfs.py",
}
path = "tests/fixtures/SOURCES.tsv"
lines = [l for l in open(path).read().rstrip("\n").split("\n")
         if l.split("\t")[0] not in rows]
for local, origin in rows.items():
    size = len(open("tests/fixtures/" + local, encoding="utf-8").read())
    lines.append("\t".join([local, "-", origin, "-", str(size)]))
open(path, "w").write("\n".join(lines) + "\n")
PY
echo "record_nodedev: wrote $OUT"
