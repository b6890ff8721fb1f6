#!/bin/bash
# Records the migration capabilities and parameters libvirt 9.0's QEMU driver sends both QEMUs
# for VIR_MIGRATE_COMPRESSED, the compression methods and their tuning, AUTO_CONVERGE, PARALLEL
# (multifd) and POSTCOPY (qemuMigrationParamsFromFlags, qemuMigrationParamsApply and the reset
# after), for tests/drivers/qemu/migration_caps_test.ts and real_migrate_caps_test.ts; and
# libvirt's refusals of their bad combinations. Two private qemu:///session libvirtd (the
# oracle's daemon.sh, run as `nobody`, so TCG), a transient diskless domain migrated with
# python3-libvirt's migrate3; each QEMU traces the QMP requests it handles (QEMU's
# `handle_qmp_command` trace event, asked for by <qemu:commandline>, as
# record_qemu_storage_migration.sh does); the migrate-* requests are kept, ports masked. One
# migration is switched to post-copy (virDomainMigrateStartPostCopy once its job runs: 512 MiB
# at 1 MiB/s keep it running) and both sides' lifecycle events are kept.
# Post-copy needs userfaultfd, which QEMU running as `nobody` gets only with
# vm.unprivileged_userfaultfd=1: set for the recording, restored after.
#
# Usage (from anywhere; root, the oracle installed):
#   bash tests/tools/record_qemu_migration_caps.sh [ORACLE]
# Writes tests/fixtures/qemu_migration/caps_qmp.json.
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
UFFD=$(cat /proc/sys/vm/unprivileged_userfaultfd)
trap 'bash "$O/daemon.sh" stop "$A_DIR" >/dev/null 2>&1 || true;
      bash "$O/daemon.sh" stop "$B_DIR" >/dev/null 2>&1 || true; rm -rf "$GUEST";
      echo "$UFFD" >/proc/sys/vm/unprivileged_userfaultfd' EXIT
echo 1 >/proc/sys/vm/unprivileged_userfaultfd
/usr/bin/python3 - "$A_URI" "$B_URI" "$GUEST" >"$OUT/caps_qmp.json.tmp" <<'PY'
import json, os, re, sys, threading, time
import libvirt

sys.path.insert(0, "tests/tools")
from qmp_trace import start_event_loop, traced_requests  # noqa: E402

src_uri, dst_uri, guest = sys.argv[1:4]
V = libvirt
start_event_loop()

XML = """<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
<name>caps</name><uuid>5a7e0000-0000-4000-8000-0000000ca959</uuid>
<memory unit='MiB'>%d</memory><os><type arch='x86_64' machine='pc'>hvm</type></os><devices>
<memballoon model='none'/></devices>
<qemu:commandline><qemu:arg value='-trace'/>
<qemu:arg value='enable=handle_qmp_command,file=%s'/></qemu:commandline></domain>"""


def requests(path):
    """The migrate-* QMP requests a QEMU traced, in order."""
    return traced_requests(path, lambda execute: execute.startswith("migrate"))


def watch(conn, seen):
    """Keeps the lifecycle events `conn` delivers; the callback id."""
    return conn.domainEventRegisterAny(None, V.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                       lambda _c, _d, ev, det, _o: seen.append([ev, det]), None)


def switch_to_postcopy(dom):
    """Once the migration job runs, switches it to post-copy."""
    while True:
        info = dom.jobInfo()
        if info[0] != V.VIR_DOMAIN_JOB_NONE and info[3] > 0:
            break
        time.sleep(0.02)
    dom.migrateStartPostCopy(0)


def run(case, flags, params, mib=32, postcopy=False):
    d = os.path.join(guest, case)
    os.makedirs(d)
    os.chmod(d, 0o777)
    conn, dconn = libvirt.open(src_uri), libvirt.open(dst_uri)
    dom = conn.createXML(XML % (mib, d + "/qmp-src.log"), 0)
    time.sleep(0.5)  # the start's events are not the migration's
    events = {"source": [], "destination": []}
    ids = [(conn, watch(conn, events["source"])), (dconn, watch(dconn, events["destination"]))]
    base = {"migrate_uri": "tcp:127.0.0.1", "listen_address": "127.0.0.1",
            "destination_xml": XML % (mib, d + "/qmp-dst.log")}
    out = {"case": case, "flags": flags, "params": params}
    try:
        switch = threading.Thread(target=switch_to_postcopy, args=(dom,)) if postcopy else None
        if switch:
            switch.start()
        moved = dom.migrate3(dconn, dict(base, **params), flags)
        if switch:
            switch.join()
            time.sleep(1)  # the events of the migration's end arrive
            # The migration's events only, not the destroy's.
            out["events"] = {side: list(seen) for side, seen in events.items()}
        out["state"] = moved.state()
        moved.destroy()
    except libvirt.libvirtError as e:
        out["error"] = {"code": e.get_error_code(), "domain": e.get_error_domain(),
                        "message": e.get_error_message()}
        out["source_state"] = dom.state()
        dom.destroy()
    time.sleep(0.3)  # QEMU's trace file is flushed when it exits
    for c, i in ids:
        c.domainEventDeregisterAny(i)
    out["source"] = requests(d + "/qmp-src.log")
    out["destination"] = requests(d + "/qmp-dst.log") if os.path.exists(d + "/qmp-dst.log") else []
    conn.close()
    dconn.close()
    return out


L = V.VIR_MIGRATE_LIVE
cases = [
    run("plain", L, {}),
    run("compressed", L | V.VIR_MIGRATE_COMPRESSED, {}),
    run("xbzrle-cache", L, {"compression": "xbzrle", "compression.xbzrle.cache": 8388608}),
    run("mt", L, {"compression": "mt", "compression.mt.level": 3, "compression.mt.threads": 2,
                  "compression.mt.dthreads": 1}),
    run("auto-converge", L | V.VIR_MIGRATE_AUTO_CONVERGE,
        {"auto_converge.initial": 30, "auto_converge.increment": 5}),
    run("parallel", L | V.VIR_MIGRATE_PARALLEL, {"parallel.connections": 3}),
    run("postcopy", L | V.VIR_MIGRATE_POSTCOPY, {"bandwidth.postcopy": 100}),
    run("postcopy-switch", L | V.VIR_MIGRATE_POSTCOPY, {"bandwidth": 1}, mib=512, postcopy=True),
    run("together", L | V.VIR_MIGRATE_COMPRESSED | V.VIR_MIGRATE_AUTO_CONVERGE |
        V.VIR_MIGRATE_POSTCOPY | V.VIR_MIGRATE_PARALLEL, {"bandwidth": 500}),
    # Refused: tuning without its switch, an unknown method, zero-copy alone.
    run("converge-tuned-off", L, {"auto_converge.initial": 30}),
    run("parallel-tuned-off", L, {"parallel.connections": 3}),
    run("mt-tuned-off", L, {"compression.mt.level": 3}),
    run("xbzrle-tuned-off", L, {"compression.xbzrle.cache": 8388608}),
    run("unknown-method", L, {"compression": "zlib"}),
    run("zerocopy-alone", L | V.VIR_MIGRATE_ZEROCOPY, {}),
    run("postcopy-offline", V.VIR_MIGRATE_POSTCOPY, {}),
]
text = json.dumps({"recorded": "libvirt 9.0.0, QEMU 7.2, two qemu:///session daemons",
                   "cases": cases}, indent=1)
text = re.sub(r"\b49[12]\d\d\b", "PORT", text)
text = text.replace(guest, "$TMP")
print(text)
PY
mv "$OUT/caps_qmp.json.tmp" "$OUT/caps_qmp.json"
