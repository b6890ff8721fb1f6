#!/usr/bin/python3
"""How long QEMU 7.2 itself takes to report an unplugged SCSI disk gone: plain QEMU (TCG, no
daemon, no guest OS, as qemu_state_bench's domain), raw QMP, N rounds of libvirt's attach
(blockdev-add x2, device_add of a scsi-hd) and detach (device_del, then the time from its reply
to DEVICE_DELETED, then blockdev-del x2). Every detach, libvirt's or edgevirt's, waits for that
event, so this is the floor of a detach.

usage: /usr/bin/python3 tests/bench/qemu_unplug_event_probe.py [N]
"""
import json, os, socket, statistics, subprocess, sys, tempfile, time

n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
work = tempfile.mkdtemp(prefix="evprobe-")
sock = f"{work}/qmp.sock"
subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", f"{work}/sdb.qcow2", "16M"], check=True)
qemu = subprocess.Popen([
    "qemu-system-x86_64", "-S", "-no-user-config", "-nodefaults", "-machine", "pc-i440fx-7.2,usb=off",
    "-accel", "tcg", "-m", "64", "-display", "none", "-qmp", f"unix:{sock},server=on,wait=off",
    "-device", "virtio-scsi-pci,id=scsi0,bus=pci.0,addr=0x2",
], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    qmp = socket.socket(socket.AF_UNIX)
    for _ in range(1000):
        try:
            qmp.connect(sock)
            break
        except (FileNotFoundError, ConnectionRefusedError):
            time.sleep(0.01)
    stream = qmp.makefile("rw")
    def reply(command, args=None):
        stream.write(json.dumps({"execute": command, **({"arguments": args} if args else {})}) + "\n")
        stream.flush()
        while True:
            msg = json.loads(stream.readline())
            if "event" not in msg:
                return msg
    stream.readline()  # the greeting
    reply("qmp_capabilities")
    reply("cont")
    waits = []
    for _ in range(n):
        reply("blockdev-add", {"driver": "file", "filename": f"{work}/sdb.qcow2", "node-name": "s",
                               "auto-read-only": True, "discard": "unmap"})
        reply("blockdev-add", {"node-name": "f", "read-only": False, "driver": "qcow2", "file": "s",
                               "backing": None})
        reply("device_add", {"driver": "scsi-hd", "bus": "scsi0.0", "channel": 0, "scsi-id": 0,
                             "lun": 1, "drive": "f", "id": "sdb"})
        reply("device_del", {"id": "sdb"})
        t = time.perf_counter()
        while True:
            msg = json.loads(stream.readline())
            if msg.get("event") == "DEVICE_DELETED" and msg["data"].get("device") == "sdb":
                break
        waits.append((time.perf_counter() - t) * 1000)
        reply("blockdev-del", {"node-name": "f"})
        reply("blockdev-del", {"node-name": "s"})
    load = open("/proc/loadavg").read().split()[:3]
    print(f"device_del reply -> DEVICE_DELETED, {n} rounds, load {' '.join(load)}: "
          f"median {statistics.median(waits):.1f} ms, min {min(waits):.1f}, max {max(waits):.1f}")
finally:
    qemu.kill()
    qemu.wait()
    subprocess.run(["rm", "-rf", work])
