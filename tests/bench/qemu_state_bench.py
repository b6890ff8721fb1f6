#!/usr/bin/python3
"""Times live changes and state operations of libvirt 9.0's QEMU driver (qemu+unix:///session
of a private libvirtd from the oracle's daemon.sh), the same steps as qemu_state_bench.ts runs on
edgevirt: start, attach-disk, detach (SCSI), snapshot create + revert, save + restore.

usage: eval "$(bash ../shared/oracle/daemon.sh start)"; /usr/bin/python3 tests/bench/qemu_state_bench.py "$URI_QEMU" N
       /usr/bin/python3 tests/bench/qemu_state_bench.py URI --serve
           (qemu_state_bench.ts: one round per line read from stdin, "round [SETTLE_MS]", its
           times as one JSON line)
"""
import json, os, subprocess, sys, tempfile, time
import libvirt

uri = sys.argv[1]
serve = sys.argv[2:] == ["--serve"]
rounds = 0 if serve else int(sys.argv[2]) if len(sys.argv) > 2 else 3
work = tempfile.mkdtemp(prefix="evbench-")
os.chmod(work, 0o777)
subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", f"{work}/vda.qcow2", "16M"], check=True)
subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", f"{work}/sdb.qcow2", "16M"], check=True)
os.chmod(f"{work}/vda.qcow2", 0o666)
os.chmod(f"{work}/sdb.qcow2", 0o666)
xml = f"""<domain type='qemu'><name>bench</name><memory unit='MiB'>64</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><features><acpi/></features><devices>
<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='{work}/vda.qcow2'/>
<target dev='vda' bus='virtio'/></disk><controller type='scsi' model='virtio-scsi'/>
<memballoon model='none'/></devices></domain>"""
disk = f"""<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
<source file='{work}/sdb.qcow2'/><target dev='sdb' bus='scsi'/></disk>"""
conn = libvirt.open(uri)
dom = conn.defineXML(xml)
times = {}
def timed(name, fn):
    t = time.perf_counter(); fn(); times.setdefault(name, []).append((time.perf_counter() - t) * 1000)
def one_round(settle_ms=0):
    timed("start", lambda: dom.create())
    time.sleep(settle_ms / 1000)
    timed("attach-disk", lambda: dom.attachDeviceFlags(disk, libvirt.VIR_DOMAIN_AFFECT_LIVE))
    timed("detach-disk", lambda: dom.detachDeviceFlags(disk, libvirt.VIR_DOMAIN_AFFECT_LIVE))
    timed("snapshot-create", lambda: dom.snapshotCreateXML("<domainsnapshot><name>s</name></domainsnapshot>"))
    timed("snapshot-revert", lambda: dom.revertToSnapshot(dom.snapshotLookupByName("s")))
    dom.snapshotLookupByName("s").delete()
    timed("save", lambda: dom.save(f"{work}/bench.save"))
    timed("restore", lambda: conn.restore(f"{work}/bench.save"))
    os.remove(f"{work}/bench.save")
    dom.destroy()
try:
    if serve:
        for line in sys.stdin:
            times = {}
            one_round(float(line.split()[1]) if len(line.split()) > 1 else 0)
            print(json.dumps({k: v[0] for k, v in times.items()}), flush=True)
    else:
        for _ in range(rounds):
            one_round()
        for name, ts in times.items():
            print(f"{name:16} median {sorted(ts)[len(ts) // 2]:8.1f} ms")
finally:
    if dom.isActive():
        dom.destroy()
    dom.undefine()
    subprocess.run(["rm", "-rf", work])
