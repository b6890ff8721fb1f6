#!/usr/bin/python3
"""Records real virsh 9.0's `console` on a pseudo-terminal against a real QEMU guest, for
tests/evsh/console_pty_test.ts.

A private libvirtd (the oracle's daemon.sh, qemu:///session as `nobody` when run as root) runs
the echo guest of tests/drivers/qemu/echo_guest.ts (a boot sector that echoes COM1). virsh runs
on a fresh pty; the recorder types `hello`, waits for the echo, then leaves one of two ways:
`escape` types Ctrl-] (0x1d), `destroy` destroys the domain from outside. Stored per case in
tests/evsh/console/recorded.json: what the terminal showed (the guest's boot prompt '>' comes
only if virsh attached in time, so it is removed), the exit status and whether the terminal's
attributes were the same before and after.

Usage: /usr/bin/python3 tests/tools/record_virsh_console.py ORACLE_DIR
"""
import json
import os
import select
import subprocess
import sys
import tempfile
import termios
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "tests", "evsh", "console", "recorded.json")
ORACLE = sys.argv[1]
# tests/drivers/qemu/echo_guest.ts's boot sector.
ECHO_GUEST = "b03ee81100bafd03eca80174f8baf803ece80200ebef88c4bafd03eca82074fb88e0baf803eec3"


def pump(fd, until, seconds):
    out = b""
    end = time.time() + seconds
    while time.time() < end and until not in out:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                out += os.read(fd, 4096)
            except OSError:
                break
    return out


def session(uri, leave):
    master, slave = os.openpty()
    before = termios.tcgetattr(slave)
    p = subprocess.Popen(["virsh", "-c", uri, "console con"], stdin=slave, stdout=slave,
                         stderr=slave, start_new_session=True)
    out = pump(master, b"(Ctrl + ])\r\n", 10)
    time.sleep(0.5)
    os.write(master, b"hello")
    out += pump(master, b"hello", 10)
    if leave == "escape":
        os.write(master, b"\x1d")
    else:
        subprocess.run(["virsh", "-c", uri, "destroy", "con"], check=True,
                       stdout=subprocess.DEVNULL)
    status = p.wait(timeout=10)
    out += pump(master, b"\0", 0.5)
    restored = termios.tcgetattr(slave) == before
    os.close(master)
    os.close(slave)
    return {"case": leave, "terminal": out.decode().replace(">", "", 1), "status": status,
            "restored": restored}


def main():
    work = tempfile.mkdtemp(prefix="evsh-console-")
    os.chmod(work, 0o755)
    disk = os.path.join(work, "boot.img")
    image = bytearray(1024 * 1024)
    code = bytes.fromhex(ECHO_GUEST)
    image[: len(code)] = code
    image[510:512] = b"\x55\xaa"
    with open(disk, "wb") as f:
        f.write(image)
    os.chmod(disk, 0o666)
    xml = os.path.join(work, "dom.xml")
    with open(xml, "w") as f:
        f.write(f"""<domain type='qemu'><name>con</name><memory unit='MiB'>32</memory>
<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os><devices>
<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='{disk}'/>
<target dev='hda' bus='ide'/></disk>
<serial type='pty'/><console type='pty'/><memballoon model='none'/></devices></domain>""")
    env = subprocess.run(["bash", os.path.join(ORACLE, "daemon.sh"), "start"], check=True,
                         capture_output=True, text=True).stdout
    conf = dict(line.split("=", 1) for line in env.split() if "=" in line)
    daemon_dir, uri = conf["DIR"].strip("'\""), conf["URI_QEMU"].strip("'\"")
    records = []
    try:
        for leave in ["escape", "destroy"]:
            subprocess.run(["virsh", "-c", uri, "create", xml], check=True,
                           stdout=subprocess.DEVNULL)
            records.append(session(uri, leave))
            subprocess.run(["virsh", "-c", uri, "destroy", "con"], capture_output=True)
    finally:
        subprocess.run(["bash", os.path.join(ORACLE, "daemon.sh"), "stop", daemon_dir],
                       capture_output=True)
        subprocess.run(["rm", "-rf", work])
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write(json.dumps(records, indent=2) + "\n")
    print("record_virsh_console:", os.path.relpath(OUT, ROOT))


main()
