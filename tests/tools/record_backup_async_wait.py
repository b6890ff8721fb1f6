#!/usr/bin/python3
"""Records what libvirt 9.0's QEMU driver answers to calls made while a backup runs, for
tests/drivers/qemu/backup_push_test.ts: a pull-mode backup (it runs until aborted) of a paused
domain on the oracle's private session libvirtd, then a second backup, a save and a live memory
change, each timed. Written to tests/drivers/qemu/fixtures/backup_async_wait.json: per call its
error (code, domain, message) or null, and the seconds it waited, rounded.

Usage: /usr/bin/python3 tests/tools/record_backup_async_wait.py URI      (the daemon's qemu URI:
  eval "$(bash ../shared/oracle/daemon.sh start)"; ... "$URI_QEMU"; daemon.sh stop "$DIR")
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import libvirt

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "tests", "drivers", "qemu", "fixtures", "backup_async_wait.json")


def main(uri: str) -> None:
    work = tempfile.mkdtemp(prefix="bk-wait-")
    os.chmod(work, 0o777)  # the daemon runs as nobody
    disk = os.path.join(work, "disk.qcow2")
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", disk, "64M"], check=True)
    os.chmod(disk, 0o666)
    conn = libvirt.open(uri)
    dom = conn.createXML(
        "<domain type='qemu'><name>bk</name><memory>65536</memory><vcpu>1</vcpu>"
        "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>"
        "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
        f"<source file='{disk}'/><target dev='vda' bus='virtio'/></disk>"
        "</devices></domain>",
        libvirt.VIR_DOMAIN_START_PAUSED,
    )
    dom.backupBegin(
        "<domainbackup mode='pull'>"
        f"<server transport='unix' socket='{work}/nbd.sock'/><disks><disk name='vda' type='file'>"
        f"<scratch file='{work}/scratch.qcow2'/></disk></disks></domainbackup>",
        None,
        0,
    )
    second = ("<domainbackup><disks><disk name='vda' type='file'>"
              f"<target file='{work}/b2.qcow2'/></disk></disks></domainbackup>")
    calls = {
        "backupBegin": lambda: dom.backupBegin(second, None, 0),
        "save": lambda: dom.save(os.path.join(work, "saved")),
        "setMemoryFlags": lambda: dom.setMemoryFlags(60000, libvirt.VIR_DOMAIN_AFFECT_LIVE),
    }
    out = {}
    for name, call in calls.items():
        started = time.time()
        error = None
        try:
            call()
        except libvirt.libvirtError as e:
            error = {"code": e.get_error_code(), "domain": e.get_error_domain(),
                     "message": e.get_error_message()}
        out[name] = {"error": error, "waited_s": round(time.time() - started)}
    dom.abortJob()
    dom.destroy()
    subprocess.run(["rm", "-rf", work], check=True)
    with open(OUT, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
