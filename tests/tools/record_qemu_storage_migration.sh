#!/bin/bash
# Records the QMP libvirt 9.0's QEMU driver sends for a storage migration
# (VIR_MIGRATE_NON_SHARED_DISK, then NON_SHARED_INC) for
# tests/drivers/qemu/real_migrate_storage_test.ts: two private qemu:///session libvirtd (the
# oracle's daemon.sh, run as `nobody`, so TCG; each makes up its own host UUID, so libvirt lets
# one migrate to the other), a defined domain whose qcow2 disk holds known data migrated with
# python3-libvirt's migrate3 and a destination XML pointing the disk into a `dir` pool of the
# destination (libvirt creates the image there); both sides' lifecycle and BLOCK_JOB_2 events. Each QEMU traces the QMP requests it handles
# (QEMU's `handle_qmp_command` trace event, asked for by <qemu:commandline>); the requests but
# the queries are kept as JSON, ports and paths masked.
#
# Usage (from anywhere; root, the oracle installed):
#   bash tests/tools/record_qemu_storage_migration.sh [ORACLE]
# Writes tests/fixtures/qemu_migration/storage_qmp.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
O=${1:-../shared/oracle}
OUT=tests/fixtures/qemu_migration
mkdir -p "$OUT"
eval "$(bash "$O/daemon.sh" start)"
A_DIR=$DIR A_URI=$URI_QEMU
eval "$(bash "$O/daemon.sh" start)"
B_DIR=$DIR B_URI=$URI_QEMU
GUEST=$(mktemp -d)
chmod 777 "$GUEST"
trap 'bash "$O/daemon.sh" stop "$A_DIR" >/dev/null 2>&1 || true;
      bash "$O/daemon.sh" stop "$B_DIR" >/dev/null 2>&1 || true; rm -rf "$GUEST"' EXIT
/usr/bin/python3 - "$A_URI" "$B_URI" "$GUEST" >"$OUT/storage_qmp.json" <<'PY'
import json, os, re, subprocess, sys, time
import libvirt

sys.path.insert(0, "tests/tools")
from qmp_trace import start_event_loop, traced_requests  # noqa: E402

src_uri, dst_uri, guest = sys.argv[1:4]
V = libvirt
start_event_loop()


def watch(conn):
    """The lifecycle and BLOCK_JOB_2 events `conn` delivers from now on."""
    seen = []
    conn.domainEventRegisterAny(None, V.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                lambda _c, _d, ev, det, _o: seen.append(["lifecycle", ev, det]),
                                None)
    conn.domainEventRegisterAny(None, V.VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2,
                                lambda _c, _d, disk, typ, st, _o:
                                seen.append(["block-job-2", disk, typ, st]), None)
    return seen


def sh(*args):
    subprocess.run(args, check=True, capture_output=True)


XML = """<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
<name>stor</name><uuid>5a7e0000-0000-4000-8000-00000000c0de</uuid>
<memory unit='MiB'>32</memory><os><type arch='x86_64' machine='pc'>hvm</type></os><devices>
<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='%s'/>
<target dev='vda' bus='virtio'/></disk><memballoon model='none'/></devices>
<qemu:commandline><qemu:arg value='-trace'/>
<qemu:arg value='enable=handle_qmp_command,file=%s'/></qemu:commandline></domain>"""


def requests(path):
    """The QMP requests a QEMU traced, in order, without its queries (query-*, qom-*)."""
    return traced_requests(path, lambda execute: not re.match(r"(query|qom)-", execute))


def run(case, flags, pre):
    """One migration: the source's disk (made by `pre`), the destination's in the pool."""
    d = os.path.join(guest, case)
    os.makedirs(d + "/dst")
    os.chmod(d, 0o777)
    os.chmod(d + "/dst", 0o777)
    top = pre(d)
    for f in os.listdir(d):
        if f.endswith(".qcow2"):
            os.chmod(os.path.join(d, f), 0o666)
    conn, dconn = libvirt.open(src_uri), libvirt.open(dst_uri)
    pool = dconn.storagePoolCreateXML(
        "<pool type='dir'><name>%s</name><target><path>%s/dst</path></target></pool>" % (case, d),
        0)
    if flags & V.VIR_MIGRATE_NON_SHARED_INC:
        sh("qemu-img", "create", "-q", "-f", "qcow2", "-b", d + "/base.qcow2", "-F", "qcow2",
           d + "/dst/vda.qcow2")
        os.chmod(d + "/dst/vda.qcow2", 0o666)
        pool.refresh(0)
    dom = conn.defineXML(XML % (top, d + "/qmp-src.log"))
    dom.create()
    time.sleep(0.5)  # the start's events are not the migration's
    src_events, dst_events = watch(conn), watch(dconn)
    params = {"migrate_uri": "tcp:127.0.0.1", "listen_address": "127.0.0.1",
              "destination_xml": XML % (d + "/dst/vda.qcow2", d + "/qmp-dst.log")}
    moved = dom.migrate3(dconn, params, V.VIR_MIGRATE_LIVE | flags)
    time.sleep(1)  # the events of the migration's end arrive
    events = {"source": list(src_events), "destination": list(dst_events)}
    moved.destroy()
    dom.undefine()
    pool.destroy()
    time.sleep(0.2)  # QEMU's trace file is flushed when it exits
    conn.close()
    dconn.close()
    return {"case": case, "flags": flags, "events": events,
            "source": requests(d + "/qmp-src.log"), "destination": requests(d + "/qmp-dst.log")}


def full(d):
    sh("qemu-img", "create", "-q", "-f", "qcow2", d + "/vda.qcow2", "4M")
    sh("qemu-io", "-c", "write -P 0x5a 0 1M", d + "/vda.qcow2")
    return d + "/vda.qcow2"


def inc(d):
    sh("qemu-img", "create", "-q", "-f", "qcow2", d + "/base.qcow2", "4M")
    sh("qemu-io", "-c", "write -P 0x11 0 2M", d + "/base.qcow2")
    sh("qemu-img", "create", "-q", "-f", "qcow2", "-b", d + "/base.qcow2", "-F", "qcow2",
       d + "/top.qcow2")
    sh("qemu-io", "-c", "write -P 0x22 1M 1M", d + "/top.qcow2")
    return d + "/top.qcow2"


cases = [run("all", V.VIR_MIGRATE_NON_SHARED_DISK, full),
         run("inc", V.VIR_MIGRATE_NON_SHARED_INC, inc)]
text = json.dumps({"recorded": "libvirt 9.0.0, QEMU 7.2, two qemu:///session daemons",
                   "cases": cases}, indent=1)
# Ports of the migration range and temporary paths differ from run to run.
text = re.sub(r"\b49[12]\d\d\b", "PORT", text)
text = text.replace(guest, "$TMP")
print(text)
PY
