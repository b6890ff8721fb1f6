#!/bin/bash
# Records what libvirt 9.0's QEMU driver asks QEMU 7.2 for a full push backup, for
# tests/drivers/qemu/backup_push_test.ts: a private qemu:///session libvirtd (the oracle's
# daemon.sh, TCG) runs a q35 guest (no OS) with one qcow2 disk holding data; through
# python3-libvirt a backup of it to a new qcow2 runs to completion, then a second one is
# aborted, then checkpoint c1 is made and an incremental backup from it runs to completion, then
# a full one makes checkpoint c2 (backupBegin's checkpoint XML), then a pull backup (NBD on a
# unix socket, incremental from c2) is read while it runs and aborted. For each: the QMP requests QEMU handled from the begin on (QEMU's
# `handle_qmp_command` trace, asked for by <qemu:commandline>; query-named-block-nodes kept,
# other queries left out), the job statistics seen while it ran (their names and types),
# the JOB_COMPLETED event's parameters and the completed job's statistics. Before them, virsh's
# backup-begin / backup-dumpxml / domjobabort print their answers (`virsh`: line, stdout,
# stderr, status), for tests/evsh/backup_qemu_test.ts.
#
# Usage (from anywhere; root, the oracle installed):
#   bash tests/tools/record_qemu_backup.sh [ORACLE]
# Writes tests/drivers/qemu/fixtures/backup_push_qmp.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
O=${1:-../shared/oracle}
OUT=tests/drivers/qemu/fixtures/backup_push_qmp.json
eval "$(bash "$O/daemon.sh" start)"
GUEST=$(mktemp -d)
chmod 777 "$GUEST"
trap 'bash "$O/daemon.sh" stop "$DIR" >/dev/null 2>&1 || true; rm -rf "$GUEST"' EXIT
# Enough data that the backup still runs while its XML and statistics are read.
qemu-img create -q -f qcow2 "$GUEST/vda.qcow2" 2G
qemu-io -f qcow2 -c "write -P 0x5a 0 768M" -c "write -P 0xa5 768M 768M" "$GUEST/vda.qcow2" >/dev/null
chmod 666 "$GUEST"/vda.qcow2
/usr/bin/python3 - "$URI_QEMU" "$GUEST" >"$OUT" <<'PY'
import json, os, re, subprocess, sys, threading, time
import libvirt

sys.path.insert(0, "tests/tools")
from qmp_trace import start_event_loop, traced_requests  # noqa: E402

uri, guest = sys.argv[1:3]
V = libvirt
start_event_loop()
TRACE = guest + "/qmp.log"
DOMAIN = """<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
<name>bkp</name><uuid>5a7e0000-0000-4000-8000-00000000b0c1</uuid>
<memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='q35'>hvm</type></os>
<devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
<source file='G/vda.qcow2'/><target dev='vda' bus='virtio'/></disk>
<memballoon model='none'/></devices>
<qemu:commandline><qemu:arg value='-trace'/>
<qemu:arg value='enable=handle_qmp_command,file=%s'/></qemu:commandline></domain>""".replace(
    "G/", guest + "/") % TRACE
BACKUP = ("<domainbackup><disks><disk name='vda' type='file'><target file='G/backup.qcow2'/>"
          "</disk></disks></domainbackup>").replace("G/", guest + "/")
INCREMENTAL = BACKUP.replace("<domainbackup>", "<domainbackup><incremental>c1</incremental>")
PULL = ("<domainbackup mode='pull'><incremental>c2</incremental>"
        "<server transport='unix' socket='G/nbd.sock'/><disks><disk name='vda' type='file'>"
        "<scratch file='G/backup.qcow2'/></disk></disks></domainbackup>").replace("G/", guest + "/")


def requests():
    """The QMP requests QEMU traced so far, without its queries but query-named-block-nodes."""
    return traced_requests(TRACE, lambda execute: execute == "query-named-block-nodes"
                           or not re.match(r"query-|qom-", execute))


def scrub(v):
    return json.loads(json.dumps(v).replace(guest, "$GUEST"))


conn = libvirt.open(uri)
events = []
done = threading.Event()


def on_job(_c, _d, params, _o):
    events.append(params)
    done.set()


conn.domainEventRegisterAny(None, V.VIR_DOMAIN_EVENT_ID_JOB_COMPLETED, on_job, None)
dom = conn.defineXML(DOMAIN)
dom.create()
time.sleep(0.5)
with open(guest + "/b.xml", "w") as f:
    f.write(BACKUP)
with open(guest + "/bad.xml", "w") as f:
    f.write("<domainbackup><disks><disk name='vdz' type='file'/></disks></domainbackup>")
virsh = []
for line in ["backup-dumpxml bkp", "backup-begin bkp G/b.xml", "backup-dumpxml bkp",
             "domjobabort bkp", "WAIT", "backup-begin bkp G/bad.xml",
             "backup-begin bkp G/missing.xml"]:
    if line == "WAIT":
        done.wait(60)
        time.sleep(0.3)
        continue
    p = subprocess.run(["virsh", "-q", "-c", uri] + line.replace("G/", guest + "/").split(),
                       capture_output=True, text=True)
    virsh.append({"line": line.replace("G/", "$GUEST/"), "stdout": p.stdout.replace(guest, "$GUEST"),
                  "stderr": p.stderr.replace(guest, "$GUEST"), "status": p.returncode})
if os.path.exists(guest + "/backup.qcow2"):
    os.unlink(guest + "/backup.qcow2")
out = {"domain": DOMAIN.replace(guest, "$GUEST").replace(TRACE.replace(guest, "$GUEST"), "TRACE"),
       "backup": BACKUP.replace(guest, "$GUEST"), "virsh": virsh,
       "incremental_backup": INCREMENTAL.replace(guest, "$GUEST"),
       "pull_backup": PULL.replace(guest, "$GUEST")}
for name in ("complete", "abort", "incremental", "with_checkpoint", "pull"):
    if name == "incremental":
        dom.checkpointCreateXML("<domaincheckpoint><name>c1</name></domaincheckpoint>", 0)
    start = len(requests())
    done.clear()
    dom.backupBegin({"incremental": INCREMENTAL, "pull": PULL}.get(name, BACKUP),
                    "<domaincheckpoint><name>c2</name></domaincheckpoint>"
                    if name == "with_checkpoint" else None, 0)
    xml = dom.backupGetXMLDesc(0)
    if name in ("abort", "pull"):
        if name == "pull":
            running = dom.jobStats(0)
        dom.abortJob()
        running = running if name == "pull" else {}
        info = []
    else:
        running = dom.jobStats(0)
        info = dom.jobInfo()
    done.wait(60)
    time.sleep(0.3)
    out[name] = scrub({
        "qmp": requests()[start:],
        "dumpxml": xml,
        "running_stats": {k: type(v).__name__ for k, v in running.items()},
        "running_type": running.get("type"),
        "running_operation": running.get("operation"),
        "job_info_len": len(info),
        "event": {k: (v if k in ("type", "operation", "status", "success", "errmsg") else type(v).__name__)
                  for k, v in events[-1].items()},
        "completed": {k: (v if k in ("type", "operation", "status", "success", "errmsg") else type(v).__name__)
                      for k, v in dom.jobStats(V.VIR_DOMAIN_JOB_STATS_COMPLETED).items()},
        "event_totals": [events[-1].get("disk_total"), events[-1].get("disk_processed")],
    })
    out[name]["checkpoints"] = dom.listAllCheckpoints(0) and sorted(
        c.getName() for c in dom.listAllCheckpoints(0))
    out[name]["last_parent"] = dom.checkpointLookupByName(
        out[name]["checkpoints"][-1]).getParent().getName() if len(out[name]["checkpoints"]) > 1 else None
    out[name]["after"] = __import__("os").path.exists(guest + "/backup.qcow2")
    if out[name]["after"]:
        __import__("os").unlink(guest + "/backup.qcow2")
dom.destroy()
for c in ("c2", "c1"):
    dom.checkpointLookupByName(c).delete(libvirt.VIR_DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY)
dom.undefine()
print(json.dumps(out, indent=1))
PY
echo "wrote $OUT"
