#!/usr/bin/python3
"""Records libvirt 9.0's QEMU driver with <transient/> disks into
tests/fixtures/oracle/transient_disks.json: {"libvirt", "steps": [{op, ..., "ok" | "error",
"qmp", "overlays"}]}: each step's answer or error (code, domain, message), the QMP commands it
sent (without the start's qom-get/qom-list CPU probing) and which .TRANSIENT- overlays exist
after it. The image directory is written @DIR@. The domain has <acpi/>, so that the `pc`
machine can hotplug a disk; no guest OS acks an unplug.

usage: record.sh   (runs this against a private libvirtd that logs its monitor)
"""
import glob
import json
import os
import re
import signal
import sys
import time

import libvirt

URI, D, LOG, OUT = sys.argv[1:5]
conn = libvirt.open(URI)


def dom_xml(name, disks):
    return (f"<domain type='qemu'><name>{name}</name>"
            "<uuid>55555555-2222-3333-4444-555555555555</uuid>"
            "<memory unit='MiB'>128</memory><vcpu>1</vcpu>"
            "<os><type arch='x86_64' machine='pc'>hvm</type></os><features><acpi/></features>"
            "<devices>"
            f"{disks}<memballoon model='none'/></devices></domain>")


def disk(dst, bus="virtio", src="@DIR@/vdb.img", fmt="raw", kind="file", device="disk",
         extra="<transient/>"):
    source = "" if src is None else (
        f"<source file='{src}'/>" if kind == "file" else f"<source dev='{src}'/>")
    return (f"<disk type='{kind}' device='{device}'><driver name='qemu' type='{fmt}'/>"
            f"{source}<target dev='{dst}' bus='{bus}'/>{extra}</disk>")


VDA = disk("vda", src="@DIR@/vda.qcow2", fmt="qcow2")
VDB = disk("vdb")
GOOD = dom_xml("tr", VDA + VDB)
VDC = disk("vdc", src="@DIR@/vdc.img")
SNAP = ("<domainsnapshot><name>s1</name><disks><disk name='vda'><source file='@DIR@/vda.s1'/>"
        "</disk><disk name='vdb' snapshot='no'/></disks></domainsnapshot>")
SHARED = dom_xml("tr", VDA + disk("vdb", extra="<transient shareBacking='yes'/>"))
CHK = "<domaincheckpoint><name>c1</name></domaincheckpoint>"
LIVE = libvirt.VIR_DOMAIN_AFFECT_LIVE

STEPS = [
    # qemuValidateDomainDeviceDefDiskTransient, in its order, at define.
    {"op": "define", "xml": dom_xml("bad", disk("vda", src=None))},
    {"op": "define", "xml": dom_xml("bad", disk("vda", extra="<readonly/><transient/>"))},
    {"op": "define", "xml": dom_xml("bad", disk("vda", kind="block", src="/dev/null"))},
    {"op": "define", "xml": dom_xml("bad", disk("hdc", bus="ide", device="cdrom"))},
    {"op": "define", "xml": dom_xml("bad", disk("hda", bus="ide",
                                                extra="<transient shareBacking='yes'/>"))},
    {"op": "define", "xml": dom_xml("bad", disk("sda", bus="sata",
                                                extra="<transient shareBacking='yes'/>"))},
    {"op": "define", "xml": dom_xml("ok", disk("vda", extra="<transient shareBacking='no'/>"))},
    {"op": "undefine", "name": "ok"},
    {"op": "define", "xml": GOOD},
    {"op": "start"},
    {"op": "xml"},
    {"op": "xml", "flags": libvirt.VIR_DOMAIN_XML_INACTIVE},
    # What a transient disk forbids on a running domain.
    {"op": "snapshot", "xml": SNAP, "flags": libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY},
    {"op": "snapshot", "xml": "<domainsnapshot><name>s2</name></domainsnapshot>", "flags": 0},
    {"op": "checkpoint", "xml": CHK},
    {"op": "commit", "flags": libvirt.VIR_DOMAIN_BLOCK_COMMIT_ACTIVE},
    {"op": "save"},
    {"op": "managedsave"},
    {"op": "migrate"},
    # A transient disk plugged in gets its overlay, which goes with the domain's stop.
    {"op": "attach", "xml": VDC, "flags": LIVE},
    {"op": "xml"},
    {"op": "attach", "xml": disk("vdd", kind="block", src="/dev/null"), "flags": LIVE},
    {"op": "detach", "xml": VDC, "flags": LIVE},
    {"op": "destroy"},
    # An overlay left behind stops the next start.
    {"op": "touch", "file": "@DIR@/vdb.img.TRANSIENT-tr"},
    {"op": "start"},
    {"op": "rm", "file": "@DIR@/vdb.img.TRANSIENT-tr"},
    # A QEMU that dies takes its overlays with it.
    {"op": "start"},
    {"op": "crash"},
    {"op": "undefine", "name": "tr"},
    # A disk sharing its backing image is plugged after the start, then the machine is reset.
    {"op": "define", "xml": SHARED},
    {"op": "start"},
    {"op": "xml"},
    {"op": "destroy"},
    {"op": "undefine", "name": "tr"},
]

current = None


def wait(pred, what):
    for _ in range(400):
        if pred():
            return
        time.sleep(0.05)
    raise TimeoutError(what)


def local(text):
    return text.replace("@DIR@", D)


def run(step):
    global current
    op = step["op"]
    if op == "define":
        current = conn.defineXML(local(step["xml"]))
        return current.name()
    if op == "undefine":
        return conn.lookupByName(step["name"]).undefine()
    if op == "start":
        return current.create()
    if op == "xml":
        return current.XMLDesc(step.get("flags", 0))
    if op == "snapshot":
        return current.snapshotCreateXML(local(step["xml"]), step["flags"]).getName()
    if op == "checkpoint":
        return current.checkpointCreateXML(step["xml"], 0).getName()
    if op == "commit":
        return current.blockCommit("vda", None, None, 0, step["flags"])
    if op == "save":
        return current.save(f"{D}/tr.save")
    if op == "managedsave":
        return current.managedSave(0)
    if op == "migrate":
        return current.migrate(conn, libvirt.VIR_MIGRATE_LIVE, None, None, 0).name()
    if op == "attach":
        return current.attachDeviceFlags(local(step["xml"]), step["flags"])
    if op == "detach":
        # No guest OS acks the unplug: libvirt gives up waiting, the disk stays until the stop.
        return current.detachDeviceFlags(local(step["xml"]), step["flags"])
    if op == "destroy":
        return current.destroy()
    if op == "touch":
        open(local(step["file"]), "w").close()
        return 0
    if op == "rm":
        os.remove(local(step["file"]))
        return 0
    if op == "crash":
        pid = int(open(f"{D}/daemon/run/libvirt/qemu/run/tr.pid").read())
        os.kill(pid, signal.SIGKILL)
        wait(lambda: current.state()[0] == libvirt.VIR_DOMAIN_SHUTOFF, "crash")
        return current.state()
    raise ValueError(op)


def sent(start):
    with open(LOG, "rb") as f:
        f.seek(start)
        text = f.read().decode()
    out = []
    for line in text.splitlines():
        m = re.search(r"QEMU_MONITOR_SEND_MSG: mon=\S+ msg=(.*)$", line)
        if m:
            msg = json.loads(m.group(1))
            if msg["execute"] in ("qom-get", "qom-list"):
                continue  # the start's CPU probing: hundreds of lines, nothing about disks
            msg.pop("id", None)
            out.append(json.loads(json.dumps(msg).replace(D, "@DIR@")))
    return out


def size():
    with open(LOG, "rb") as f:
        return f.seek(0, 2)


steps = []
for step in STEPS:
    start = size()
    rec = dict(step)
    try:
        ok = run(step)
        rec["ok"] = ok.replace(D, "@DIR@") if isinstance(ok, str) else ok
    except libvirt.libvirtError as e:
        rec["error"] = {"code": e.get_error_code(), "domain": e.get_error_domain(),
                        "message": e.get_error_message().replace(D, "@DIR@")}
    rec["qmp"] = sent(start)
    rec["overlays"] = sorted(os.path.basename(p) for p in glob.glob(f"{D}/*.TRANSIENT-*"))
    steps.append(rec)

with open(OUT, "w") as f:
    json.dump({"libvirt": conn.getLibVersion(), "steps": steps}, f, indent=1)
    f.write("\n")
