#!/bin/bash
# Records libvirt 9.0's answers to `<domainbackup>` documents, for tests/conf/backup_test.ts:
# libvirt's test driver has no backup API, so a private qemu:///session libvirtd (the oracle's
# daemon.sh, TCG) runs a q35 guest (no OS) with two qcow2 disks and an empty SATA cdrom, and
# each case is virDomainBackupBegin(xml) then virDomainBackupGetXMLDesc (what virsh's
# backup-begin / backup-dumpxml print), then the job aborted and waited for. A refused
# document records libvirt's error (code, domain, message). The default target names carry
# the begin time in seconds (virDomainBackupAlignDisks' suffix): recorded as `SUFFIX`, and the
# guest's folder as `$GUEST`.
#
# Usage (from anywhere; root, the oracle installed):
#   bash tests/tools/record_backup_conf.sh [ORACLE]
# Writes tests/conf/fixtures/backup_cases.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
O=${1:-../shared/oracle}
OUT=tests/conf/fixtures/backup_cases.json
eval "$(bash "$O/daemon.sh" start)"
GUEST=$(mktemp -d)
chmod 777 "$GUEST"
trap 'bash "$O/daemon.sh" stop "$DIR" >/dev/null 2>&1 || true; rm -rf "$GUEST"' EXIT
# Data in vda keeps a push backup running long enough to read its XML back.
qemu-img create -q -f qcow2 "$GUEST/vda.qcow2" 512M
qemu-io -f qcow2 -c "write -P 0x5a 0 384M" "$GUEST/vda.qcow2" >/dev/null
qemu-img create -q -f qcow2 "$GUEST/vdb.qcow2" 16M
chmod 666 "$GUEST"/*.qcow2
/usr/bin/python3 - "$URI_QEMU" "$GUEST" >"$OUT" <<'PY'
import json, re, sys, time
import libvirt

uri, guest = sys.argv[1:3]
libvirt.registerErrorHandler(lambda *_: None, None)
DOMAIN = """<domain type='qemu'><name>bk</name><uuid>5a7e0000-0000-4000-8000-00000000b0c0</uuid>
<memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='q35'>hvm</type></os>
<devices>
<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='G/vda.qcow2'/><target dev='vda' bus='virtio'/></disk>
<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='G/vdb.qcow2'/><target dev='vdb' bus='virtio'/></disk>
<disk type='file' device='cdrom'><target dev='sda' bus='sata'/><readonly/></disk>
<memballoon model='none'/></devices></domain>""".replace("G/", guest + "/")
S = guest + "/nbd.sock"
CASES = [
    ("push default", "<domainbackup/>"),
    ("push empty disks element", "<domainbackup mode='push'><disks/></domainbackup>"),
    ("push one disk with target and raw driver",
     "<domainbackup><disks><disk name='vda' type='file'><target file='G/t.raw'/>"
     "<driver type='raw'/></disk><disk name='vdb' backup='no'/></disks></domainbackup>"),
    ("push by source path", "<domainbackup><disks><disk name='G/vdb.qcow2' type='file'/></disks></domainbackup>"),
    ("push full mode", "<domainbackup><disks><disk name='vdb' backupmode='full' type='file'/></disks></domainbackup>"),
    ("pull unix default", "<domainbackup mode='pull'><server transport='unix' socket='%s'/></domainbackup>" % S),
    ("pull unix exports",
     "<domainbackup mode='pull'><server transport='unix' socket='%s'/><disks>"
     "<disk name='vdb' exportname='e1' exportbitmap='b1' type='file'><scratch file='G/s.qcow2'/>"
     "<driver type='qcow2'/></disk><disk name='vda' backup='no'/></disks></domainbackup>" % S),
    ("pull without server", "<domainbackup mode='pull'/>"),
    ("pull tcp without port", "<domainbackup mode='pull'><server name='localhost'/></domainbackup>"),
    ("unknown mode", "<domainbackup mode='bogus'/>"),
    ("server in push mode", "<domainbackup><server transport='unix' socket='%s'/></domainbackup>" % S),
    ("not a backup", "<domainsnapshot/>"),
    ("malformed", "<domainbackup>"),
    ("unknown disk", "<domainbackup><disks><disk name='vdz' type='file'/></disks></domainbackup>"),
    ("disk twice", "<domainbackup><disks><disk name='vda' type='file'/><disk name='vda' type='file'/></disks></domainbackup>"),
    ("incremental mode without checkpoint",
     "<domainbackup><disks><disk name='vda' backupmode='incremental' type='file'/></disks></domainbackup>"),
    ("empty cdrom", "<domainbackup><disks><disk name='sda' type='file'/></disks></domainbackup>"),
    ("incremental from a missing checkpoint", "<domainbackup><incremental>nochk</incremental></domainbackup>"),
    ("disk incremental from a missing checkpoint",
     "<domainbackup><disks><disk name='vdb' incremental='nochk' type='file'/></disks></domainbackup>"),
    ("pull raw scratch",
     "<domainbackup mode='pull'><server transport='unix' socket='%s'/><disks><disk name='vdb' type='file'>"
     "<driver type='raw'/></disk></disks></domainbackup>" % S),
    ("relative target", "<domainbackup><disks><disk name='vdb' type='file'><target file='t.qcow2'/></disk></disks></domainbackup>"),
]


def err(e):
    return {"code": e.get_error_code(), "domain": e.get_error_domain(), "message": e.get_error_message()}


def clean(text):
    return re.sub(r"\.\d{9,11}(?=')", ".SUFFIX", text.replace(guest, "$GUEST"))


def call(fn):
    try:
        return {"ok": fn()}
    except libvirt.libvirtError as e:
        return {"error": err(e)}


conn = libvirt.open(uri)
dom = conn.defineXML(DOMAIN)
out = {"domain": DOMAIN.replace(guest, "$GUEST"), "cases": []}
out["inactive"] = call(lambda: dom.backupBegin("<domainbackup/>", None, 0))
dom.create()
out["no backup"] = call(lambda: dom.backupGetXMLDesc(0))
for name, xml in CASES:
    xml = xml.replace("G/", guest + "/")
    case = {"name": name, "xml": xml.replace(guest, "$GUEST")}
    try:
        dom.backupBegin(xml, None, 0)
        case["dumpxml"] = clean(dom.backupGetXMLDesc(0))
        try:
            dom.abortJob()
        except libvirt.libvirtError:
            pass  # already finished
        for _ in range(600):
            try:
                dom.backupGetXMLDesc(0)
                time.sleep(0.05)
            except libvirt.libvirtError:
                break
    except libvirt.libvirtError as e:
        case["error"] = err(e)
    for f in __import__("os").listdir(guest):
        if f not in ("vda.qcow2", "vdb.qcow2", "nbd.sock"):
            __import__("os").unlink(guest + "/" + f)
    out["cases"].append(case)
dom.destroy()
dom.undefine()
print(json.dumps(out, indent=1))
PY
echo "wrote $OUT"
