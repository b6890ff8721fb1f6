"""Records the part of this machine's sysfs that libvirt's node-device and interface drivers read
into the JSON file DEST, for record_nodedev.sh: for every device of the buses and classes they list (and each
of its ancestors up to /sys/devices), its attribute files and its symlinks, plus the
/sys/bus|class|block links to them and /sys/kernel/iommu_groups. DEST is
{"files": {PATH: TEXT}, "binary": {PATH: HEX}, "links": {PATH: TARGET}, "dirs": [PATH],
"ethtool": ...}, PATH relative to /sys: text attributes as text, PCI `config` (binary, PCI
Express capabilities) in hex, symlinks as their relative targets (so a tree made from it
resolves as /sys does); unreadable attributes (write-only, errors) are left out. "ethtool" holds the answers of the SIOCETHTOOL requests libvirt makes for each network
interface (sysfs has no offload features): {IFNAME: {CMD: data | [active words] | null}}. Usage: snapshot_sysfs.py DEST (run it where /sys is the one to copy)."""
import array
import fcntl
import json
import os
import socket
import struct
import sys

SYS = "/sys"
DEST = sys.argv[1]
LISTS = ["bus/pci/devices", "bus/usb/devices", "class/net", "block", "class/block", "class/scsi_host",
         "bus/scsi/devices", "class/scsi_generic", "class/drm"]
SKIP = {"remove", "rescan", "reset", "rom", "vpd", "new_id", "remove_id", "bind", "unbind",
        "uevent_seqnum"}
SUBDIRS = {"queue", "mdev_supported_types", "bridge", "brif", "brport", "bonding"}
MAX = 65536


OUT = {"files": {}, "binary": {}, "links": {}, "dirs": []}


def dest(path):
    return os.path.relpath(path, SYS)


def copy_link(path):
    OUT["links"][dest(path)] = os.readlink(path)


def copy_file(path):
    name = os.path.basename(path)
    if name in SKIP or name.startswith("resource"):
        return
    try:
        with open(path, "rb") as f:
            data = f.read(MAX)
    except OSError:
        return
    if name == "config":
        OUT["binary"][dest(path)] = data.hex()
        return
    try:
        OUT["files"][dest(path)] = data.decode("utf-8")
    except UnicodeDecodeError:
        return


def copy_dir(path, deep=False):
    OUT["dirs"].append(dest(path))
    for entry in os.scandir(path):
        if entry.is_symlink():
            copy_link(entry.path)
        elif entry.is_file():
            copy_file(entry.path)
        elif entry.is_dir() and (deep or entry.name in SUBDIRS):
            copy_dir(entry.path, True)


done = set()


def copy_device(path):
    while path.startswith(SYS + "/devices/") and path not in done:
        done.add(path)
        copy_dir(path)
        path = os.path.dirname(path)


for lst in LISTS:
    top = os.path.join(SYS, lst)
    if not os.path.isdir(top):
        continue
    OUT["dirs"].append(dest(top))
    for entry in os.scandir(top):
        if entry.is_symlink():
            copy_link(entry.path)
            copy_device(os.path.realpath(entry.path))
        # a device's child under a class (net/X) resolves in its parent's copy

for path in [SYS + "/class/dmi/id"]:
    if os.path.exists(path):
        copy_link(path)
        copy_device(os.path.realpath(path))
groups = SYS + "/kernel/iommu_groups"
if os.path.isdir(groups):
    copy_dir(groups, True)


ETHTOOL_CMDS = [0x14, 0x16, 0x18, 0x1e, 0x23, 0x25, 0x2b]
ETHTOOL_GFEATURES = 0x3a


def ethtool(sock, ifname, cmd):
    words = [cmd, 2] + [0] * 8 if cmd == ETHTOOL_GFEATURES else [cmd, 0]
    buf = array.array("I", words)
    ifr = struct.pack("16sP", ifname.encode(), buf.buffer_info()[0]).ljust(40, b"\0")
    try:
        fcntl.ioctl(sock.fileno(), 0x8946, ifr)
    except OSError:
        return None
    return [buf[4], buf[8]] if cmd == ETHTOOL_GFEATURES else buf[1]


with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
    answers = {name: {str(cmd): ethtool(sock, name, cmd)
                      for cmd in ETHTOOL_CMDS + [ETHTOOL_GFEATURES]}
               for name in sorted(os.listdir(SYS + "/class/net"))}
OUT["ethtool"] = answers
OUT["dirs"] = sorted(set(OUT["dirs"]))
with open(DEST, "w") as f:
    json.dump(OUT, f, indent=1, sort_keys=True)
    f.write("\n")
