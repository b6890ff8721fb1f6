#!/usr/bin/python3
"""Records libvirt 9.0's QEMU driver answers for checkpoints, and the QMP each call sent, into
tests/fixtures/oracle/checkpoints.json: {"steps": [{op, args..., "ok" | "error", "qmp"}],
"virsh": [{line, stdout, stderr, status}]} (virsh's checkpoint commands on the domain defined
and started again). Creation times are written @T@ in XML, @TIME@ in virsh's tables; the image
directory @DIR@ (a snapshot step's XML names it so).

usage: record.sh [ORACLE_DIR]   (runs this against a private libvirtd that logs its monitor)
"""
import json
import os
import re
import subprocess
import sys
import time

import libvirt

URI, D, LOG, OUT = sys.argv[1:5]
conn = libvirt.open(URI)
B = libvirt.VIR_DOMAIN_CHECKPOINT_LIST_LEAVES
NB = libvirt.VIR_DOMAIN_CHECKPOINT_LIST_NO_LEAVES
DOM = f"""<domain type='qemu'><name>hp</name><uuid>44444444-2222-3333-4444-555555555555</uuid>
<memory unit='MiB'>128</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os>
<devices>
<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='{D}/vda.qcow2'/>
<target dev='vda' bus='virtio'/></disk>
<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk>
<controller type='scsi' model='virtio-scsi'/>
<memballoon model='virtio'/></devices></domain>"""


def chk(name, disks=""):
    return f"<domaincheckpoint><name>{name}</name>{disks}</domaincheckpoint>"


REDEF_C5 = ("<domaincheckpoint><name>c5</name><parent><name>c1</name></parent>"
            "<creationTime>1234</creationTime><disks><disk name='vda' checkpoint='bitmap'/>"
            "</disks></domaincheckpoint>")
REDEF_C6 = REDEF_C5.replace("c5", "c6")
REDEF = libvirt.VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE
VALIDATE = REDEF | libvirt.VIR_DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE
NO_DOM = libvirt.VIR_DOMAIN_CHECKPOINT_XML_NO_DOMAIN
SIZE = libvirt.VIR_DOMAIN_CHECKPOINT_XML_SIZE

STEPS = [
    {"op": "create", "xml": chk("c1"), "flags": 0},
    {"op": "create", "xml": chk("c2"), "flags": 0},
    {"op": "create", "xml": chk("c3"), "flags": 0},
    {"op": "create", "xml": chk("c1"), "flags": 0},
    {"op": "create", "xml": chk("c9"), "flags": libvirt.VIR_DOMAIN_CHECKPOINT_CREATE_QUIESCE},
    {"op": "create", "xml": chk("c9", "<disks><disk name='vda' bitmap='b'/></disks>"), "flags": 0},
    {"op": "create", "xml": chk("c9", "<disks><disk name='vdz'/></disks>"), "flags": 0},
    {"op": "create", "xml": chk("c9", "<disks><disk name='hdc'/></disks>"), "flags": 0},
    {"op": "xml", "name": "c2", "flags": NO_DOM},
    {"op": "xml", "name": "c1", "flags": NO_DOM | SIZE},
    {"op": "list", "flags": 0},
    {"op": "list", "flags": libvirt.VIR_DOMAIN_CHECKPOINT_LIST_ROOTS},
    {"op": "list", "flags": B},
    {"op": "list", "flags": NB},
    {"op": "list", "flags": B | NB},
    {"op": "list", "flags": libvirt.VIR_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL},
    {"op": "list", "flags": 1 << 10},
    {"op": "children", "name": "c1", "flags": 0},
    {"op": "children", "name": "c1", "flags": libvirt.VIR_DOMAIN_CHECKPOINT_LIST_DESCENDANTS},
    {"op": "children", "name": "c1", "flags": libvirt.VIR_DOMAIN_CHECKPOINT_LIST_DESCENDANTS | B},
    {"op": "parent", "name": "c1"},
    {"op": "parent", "name": "c2"},
    {"op": "lookup", "name": "c3"},
    {"op": "lookup", "name": "zz"},
    {"op": "delete", "name": "c2", "flags": 0},
    {"op": "parent", "name": "c3"},
    {"op": "create", "xml": chk("c4"), "flags": 0},
    {"op": "delete", "name": "c1", "flags": libvirt.VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY},
    {"op": "list", "flags": 0},
    {"op": "create", "xml": chk("c5"), "flags": 0},
    {"op": "parent", "name": "c5"},
    {"op": "delete", "name": "c5", "flags": libvirt.VIR_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY},
    {"op": "create", "xml": REDEF_C5, "flags": VALIDATE},
    {"op": "xml", "name": "c5", "flags": NO_DOM},
    {"op": "create", "xml": REDEF_C6, "flags": VALIDATE},
    {"op": "create", "xml": REDEF_C6, "flags": REDEF},
    {"op": "list", "flags": libvirt.VIR_DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL},
    {"op": "delete", "name": "c6", "flags": 0},
    {"op": "delete", "name": "c1", "flags": libvirt.VIR_DOMAIN_CHECKPOINT_DELETE_CHILDREN},
    {"op": "list", "flags": 0},
    {"op": "create", "xml": chk("c7"), "flags": 0},
    {"op": "create", "xml": chk("c8"), "flags": 0},
    {"op": "create", "xml": chk("c10"), "flags": 0},
    {"op": "snapshot", "xml": "<domainsnapshot><name>s1</name><disks><disk name='vda'>"
     "<source file='@DIR@/vda.s1'/></disk><disk name='hdc' snapshot='no'/></disks>"
     "</domainsnapshot>",
     "flags": libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY
     | libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA},
    {"op": "xml", "name": "c10", "flags": NO_DOM | SIZE},
    {"op": "delete", "name": "c10", "flags": 0},
    # Block jobs carry the bitmaps: c11 is in s1 and, propagated, in s2; a commit of s1 into
    # the base merges it there, an active commit of s2 pivots with the write bitmap.
    {"op": "create", "xml": chk("c11"), "flags": 0},
    {"op": "snapshot", "xml": "<domainsnapshot><name>s2</name><disks><disk name='vda'>"
     "<source file='@DIR@/vda.s2'/></disk><disk name='hdc' snapshot='no'/></disks>"
     "</domainsnapshot>",
     "flags": libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY
     | libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA},
    {"op": "commit", "top": "@DIR@/vda.s1", "base": "@DIR@/vda.qcow2", "flags": 0},
    {"op": "commit", "flags": libvirt.VIR_DOMAIN_BLOCK_COMMIT_ACTIVE},
    # A pull of the base into a new s3 merges the base's bitmaps into s3's; a copy pivoted to
    # a new image takes them all with the write bitmap.
    {"op": "snapshot", "xml": "<domainsnapshot><name>s3</name><disks><disk name='vda'>"
     "<source file='@DIR@/vda.s3'/></disk><disk name='hdc' snapshot='no'/></disks>"
     "</domainsnapshot>",
     "flags": libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY
     | libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA},
    {"op": "pull", "base": "@DIR@/vda.qcow2", "flags": 0},
    {"op": "copy", "xml": "<disk type='file'><source file='@DIR@/vda.copy'/>"
     "<driver type='qcow2'/></disk>", "flags": libvirt.VIR_DOMAIN_BLOCK_COPY_TRANSIENT_JOB},
    {"op": "xml", "name": "c11", "flags": NO_DOM | SIZE},
    {"op": "delete", "name": "c11", "flags": 0},
    {"op": "destroy"},
    {"op": "create", "xml": chk("c9"), "flags": 0},
    {"op": "delete", "name": "c7", "flags": 0},
    {"op": "xml", "name": "c7", "flags": NO_DOM | SIZE},
    {"op": "undefine", "flags": 0},
    {"op": "undefine", "flags": libvirt.VIR_DOMAIN_UNDEFINE_NVRAM},
    {"op": "delete", "name": "c8", "flags": libvirt.VIR_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY},
    {"op": "list", "flags": 0},
    {"op": "undefine", "flags": 0},
    {"op": "undefine", "flags": libvirt.VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA},
]

dom = conn.defineXML(DOM)
dom.create()


def wait_xml(pred):
    """Waits on the live XML, which asks QEMU nothing, so the step's QMP stays the job's."""
    for _ in range(400):
        if pred(dom.XMLDesc(0)):
            return
        time.sleep(0.05)
    raise TimeoutError("block job")


def commit(step):
    """A commit to its end: a below-top one until its top left the chain, an active one until
    ready, then pivoted."""
    path = lambda k: step[k].replace("@DIR@", D) if k in step else None
    dom.blockCommit("vda", path("base"), path("top"), 0, step["flags"])
    if step["flags"] & libvirt.VIR_DOMAIN_BLOCK_COMMIT_ACTIVE:
        wait_xml(lambda x: "ready='yes'" in x)
        return dom.blockJobAbort("vda", libvirt.VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT)
    wait_xml(lambda x: path("top") not in x)
    return 0


def pull(step):
    """A pull of the whole chain into the top, until the base left it."""
    dom.blockPull("vda", 0, 0)
    wait_xml(lambda x: step["base"].replace("@DIR@", D) not in x)
    return 0


def copy(step):
    """A copy until ready, then pivoted."""
    dom.blockCopy("vda", step["xml"].replace("@DIR@", D), None, step["flags"])
    wait_xml(lambda x: "ready='yes'" in x)
    return dom.blockJobAbort("vda", libvirt.VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT)


def run(step):
    op = step["op"]
    if op == "create":
        return dom.checkpointCreateXML(step["xml"], step["flags"]).getName()
    if op == "list":
        return [c.getName() for c in dom.listAllCheckpoints(step["flags"])]
    if op == "snapshot":
        return dom.snapshotCreateXML(step["xml"].replace("@DIR@", D), step["flags"]).getName()
    if op == "commit":
        return commit(step)
    if op == "pull":
        return pull(step)
    if op == "copy":
        return copy(step)
    if op == "destroy":
        return dom.destroy()
    if op == "undefine":
        return dom.undefineFlags(step["flags"])
    c = dom.checkpointLookupByName(step["name"], 0)
    if op == "lookup":
        return c.getName()
    if op == "children":
        return [x.getName() for x in c.listAllChildren(step["flags"])]
    if op == "parent":
        return c.getParent(0).getName()
    if op == "xml":
        return re.sub(r"<creationTime>\d+</creationTime>", "<creationTime>@T@</creationTime>",
                      c.getXMLDesc(step["flags"]))
    if op == "delete":
        return c.delete(step["flags"])
    raise ValueError(op)


def sent(log, start):
    with open(log, "rb") as f:
        f.seek(start)
        text = f.read().decode()
    out = []
    for line in text.splitlines():
        m = re.search(r"QEMU_MONITOR_SEND_MSG: mon=\S+ msg=(.*)$", line)
        if m:
            msg = json.loads(m.group(1))
            msg.pop("id", None)
            out.append(json.loads(json.dumps(msg).replace(D, "@DIR@")))
    return out


def size(log):
    with open(log, "rb") as f:
        return f.seek(0, 2)


steps = []
for step in STEPS:
    start = size(LOG)
    rec = dict(step)
    try:
        rec["ok"] = run(step)
    except libvirt.libvirtError as e:
        rec["error"] = {"code": e.get_error_code(), "domain": e.get_error_domain(),
                        "message": e.get_error_message()}
    rec["qmp"] = sent(LOG, start)
    steps.append(rec)

VIRSH = [
    "checkpoint-create-as hp c1 --description first",
    "checkpoint-create-as hp c2",
    "checkpoint-create-as hp --name c3 --diskspec vda,checkpoint=bitmap --print-xml",
    "checkpoint-create-as hp c3 --diskspec hdc",
    "checkpoint-create-as hp c3 --quiesce",
    "checkpoint-create-as hp c3 --diskspec vda,checkpoint=bitmap,bitmap=c3 --diskspec hdc,checkpoint=no",
    "checkpoint-list hp",
    "checkpoint-list hp --parent",
    "checkpoint-list hp --tree",
    "checkpoint-list hp --topological --name",
    "checkpoint-list hp --roots",
    "checkpoint-list hp --leaves --name",
    "checkpoint-list hp --no-leaves --name",
    "checkpoint-list hp --from c1 --name",
    "checkpoint-list hp --from c1 --descendants --name",
    "checkpoint-dumpxml hp c2 --no-domain",
    "checkpoint-dumpxml hp c1 --no-domain --size",
    "checkpoint-parent hp c2",
    "checkpoint-parent hp c1",
    "checkpoint-info hp c1",
    "checkpoint-info hp c2",
    "checkpoint-info hp zz",
    "checkpoint-delete hp c2",
    "checkpoint-list hp --parent",
    "checkpoint-delete hp c1 --children-only",
    "checkpoint-list hp --tree",
    "checkpoint-delete hp c1 --metadata",
    "checkpoint-list hp --name",
    "checkpoint-delete hp zz",
    "checkpoint-create-as hp c4",
    "destroy hp",
    "checkpoint-create-as hp c5",
    "checkpoint-delete hp c4",
    "checkpoint-dumpxml hp c4 --size",
    "checkpoint-list hp --name",
    "undefine hp",
    "undefine hp --checkpoints-metadata",
]
# A fresh image: the one above keeps the bitmaps whose metadata the undefine discarded.
subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", f"{D}/vda.qcow2", "16M"], check=True)
os.chmod(f"{D}/vda.qcow2", 0o666)
dom = conn.defineXML(DOM)
dom.create()
virsh = []
for line in VIRSH:
    r = subprocess.run(["virsh", "-c", URI, line], capture_output=True, text=True,
                       env={**os.environ, "TZ": "UTC", "LC_ALL": "C"})
    out = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}", "@TIME@", r.stdout)
    out = re.sub(r"<creationTime>\d+</creationTime>", "<creationTime>@T@</creationTime>", out)
    virsh.append({"line": line, "stdout": out, "stderr": r.stderr, "status": r.returncode})

with open(OUT, "w") as f:
    json.dump({"libvirt": conn.getLibVersion(), "steps": steps, "virsh": virsh}, f, indent=1)
    f.write("\n")
