"""Copies the part of this machine's sysfs that libvirt's node-device and interface drivers read
into DEST, for record_nodedev.sh: for every device of the buses and classes they list (and each
of its ancestors up to /sys/devices), its attribute files and its symlinks, plus the
/sys/bus|class|block links to them and /sys/kernel/iommu_groups. Text attributes are copied as
text; PCI `config` (binary, PCI Express capabilities) as its bytes; unreadable attributes
(write-only, errors) are left out. Symlinks stay relative symlinks, so the copy resolves as /sys
does. Also writes DEST/../ethtool.json: the answers of the SIOCETHTOOL requests libvirt makes for
each network interface (sysfs has no offload features), {IFNAME: {CMD: data | [active words] |
null}}. Usage: snapshot_sysfs.py DEST (run it where /sys is the one to copy)."""
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


def dest(path):
    return os.path.join(DEST, os.path.relpath(path, SYS))


def copy_link(path):
    os.makedirs(os.path.dirname(dest(path)), exist_ok=True)
    if not os.path.lexists(dest(path)):
        os.symlink(os.readlink(path), dest(path))


def copy_file(path):
    name = os.path.basename(path)
    if name in SKIP or name.startswith("resource"):
        return
    try:
        with open(path, "rb") as f:
            data = f.read(MAX)
    except OSError:
        return
    if name != "config":
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return
    os.makedirs(os.path.dirname(dest(path)), exist_ok=True)
    with open(dest(path), "wb") as f:
        f.write(data)


def copy_dir(path, deep=False):
    os.makedirs(dest(path), exist_ok=True)
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
    os.makedirs(dest(top), exist_ok=True)
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
with open(os.path.join(os.path.dirname(DEST.rstrip("/")), "ethtool.json"), "w") as f:
    json.dump(answers, f, indent=1, sort_keys=True)
    f.write("\n")
