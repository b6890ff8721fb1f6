#!/usr/bin/python3
"""Records libvirt 9.0's QEMU driver answers for external disk-only snapshots and block jobs
into tests/fixtures/oracle/block_jobs.json (paths of the image directory written @DIR@).

usage: record.sh [ORACLE_DIR]   (runs this with a private session libvirtd from daemon.sh)
"""
import json
import os
import sys
import threading
import time

import libvirt

URI, D, OUT = sys.argv[1], sys.argv[2], sys.argv[3]
libvirt.virEventRegisterDefaultImpl()
conn = libvirt.open(URI)
events = []


def on_job(_c, _d, disk, typ, status, _o, eid):
    events.append({"eventId": eid, "disk": disk, "type": typ, "status": status})


conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_BLOCK_JOB,
                            lambda c, d, disk, t, s, o: on_job(c, d, disk, t, s, o, 8), None)
conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2,
                            lambda c, d, disk, t, s, o: on_job(c, d, disk, t, s, o, 16), None)
stop = False


def loop():
    while not stop:
        libvirt.virEventRunDefaultImpl()


threading.Thread(target=loop, daemon=True).start()
out = {}


def mask(v):
    if isinstance(v, str):
        return v.replace(D, "@DIR@")
    if isinstance(v, dict):
        return {k: mask(x) for k, x in v.items()}
    if isinstance(v, list):
        return [mask(x) for x in v]
    return v


def rec(key, fn):
    try:
        r = fn()
        out[key] = {"ok": mask(r if not isinstance(r, libvirt.virDomainSnapshot) else r.getName())}
    except libvirt.libvirtError as e:
        out[key] = {"error": {"code": e.get_error_code(), "domain": e.get_error_domain(),
                              "message": mask(e.get_error_message())}}


def wait_job(dom, disk, ready=True):
    for _ in range(500):
        info = dom.blockJobInfo(disk, 0)
        if not info:
            return
        if ready and info.get("cur") == info.get("end") and info.get("end", 0) > 0:
            time.sleep(0.3)
            return
        time.sleep(0.02)


dom_xml = open(os.path.join(D, "dom.xml")).read()
ide_ro = dom_xml.replace("</devices>", "<disk type='file' device='disk'><source file='@/ro.img'/>"
                         "<target dev='hdb' bus='ide'/><readonly/></disk></devices>"
                         .replace("@", D)).replace("<name>qb</name>", "<name>qbro</name>")
rec("define_ide_readonly", lambda: conn.defineXML(ide_ro).name())
dom = conn.defineXML(dom_xml)
rec("commit_inactive", lambda: dom.blockCommit("vda", None, None, 0, 0))
dom.create()
time.sleep(0.5)
rec("commit_no_backing", lambda: dom.blockCommit("vda", None, None, 0, 0))
rec("pull_no_backing", lambda: dom.blockPull("vda", 0, 0))
rec("job_info_none", lambda: dom.blockJobInfo("vda", 0))
rec("job_abort_none", lambda: dom.blockJobAbort("vda", 0))
rec("job_info_bad_disk", lambda: dom.blockJobInfo("vdz", 0))
rec("snapshot_internal_raw_disk_only", lambda: dom.snapshotCreateXML(
    "<domainsnapshot><name>x</name><disks><disk name='vda' snapshot='internal'/></disks>"
    "</domainsnapshot>", libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY))
rec("snapshot_disk_only_halt_live", lambda: dom.snapshotCreateXML(
    "<domainsnapshot><name>x</name></domainsnapshot>",
    libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY | libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_REDEFINE))
open(os.path.join(D, "exists.qcow2"), "w").write("x")
rec("snapshot_exists", lambda: dom.snapshotCreateXML(
    "<domainsnapshot><name>x</name><disks><disk name='vda'><source file='%s/exists.qcow2'/>"
    "</disk></disks></domainsnapshot>" % D, libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY))
rec("snapshot_s1", lambda: dom.snapshotCreateXML(
    "<domainsnapshot><name>s1</name></domainsnapshot>",
    libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY))
rec("s1_xml", lambda: dom.snapshotLookupByName("s1").getXMLDesc(0))
rec("live_after_s1", lambda: dom.XMLDesc(0))
rec("inactive_after_s1", lambda: dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
rec("revert_s1", lambda: dom.revertToSnapshot(dom.snapshotLookupByName("s1"), 0))
rec("snapshot_s2", lambda: dom.snapshotCreateXML(
    "<domainsnapshot><name>s2</name><disks><disk name='vda' snapshot='external'>"
    "<source file='%s/vda.s2'/></disk></disks></domainsnapshot>" % D,
    libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY | libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA))
rec("live_after_s2", lambda: dom.XMLDesc(0))
events.clear()
rec("commit_active_no_flag", lambda: dom.blockCommit("vda", None, None, 0, 0))
rec("commit_active", lambda: dom.blockCommit("vda", None, None, 0,
                                             libvirt.VIR_DOMAIN_BLOCK_COMMIT_ACTIVE))
wait_job(dom, "vda")
rec("commit_active_info", lambda: dom.blockJobInfo("vda", 0))
rec("commit_active_live", lambda: dom.XMLDesc(0))
rec("commit_second_job", lambda: dom.blockPull("vda", 0, 0))
rec("set_speed", lambda: dom.blockJobSetSpeed("vda", 1, 0))
rec("commit_pivot", lambda: dom.blockJobAbort("vda", libvirt.VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT))
time.sleep(0.5)
rec("commit_pivot_events", lambda: list(events))
rec("live_after_pivot", lambda: dom.XMLDesc(0))
events.clear()
rec("commit_inner", lambda: dom.blockCommit("vda", None, "vda[1]", 0, 0))
for n in ("s3", "s4"):
    dom.snapshotCreateXML("<domainsnapshot><name>%s</name></domainsnapshot>" % n,
                          libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY)
rec("live_s4", lambda: dom.XMLDesc(0))
rec("commit_not_active_with_flag", lambda: dom.blockCommit(
    "vda", None, "%s/vda.s3" % D, 0, libvirt.VIR_DOMAIN_BLOCK_COMMIT_ACTIVE))
rec("commit_shallow_bad_base", lambda: dom.blockCommit(
    "vda", "%s/vda.qcow2" % D, None, 0,
    libvirt.VIR_DOMAIN_BLOCK_COMMIT_ACTIVE | libvirt.VIR_DOMAIN_BLOCK_COMMIT_SHALLOW))
rec("commit_unknown_top", lambda: dom.blockCommit("vda", None, "/nonexistent", 0, 0))
rec("commit_bad_index", lambda: dom.blockCommit("vda", None, "vda[9]", 0, 0))
rec("commit_other_target", lambda: dom.blockCommit("vda", None, "vdb[1]", 0, 0))
events.clear()
rec("commit_middle", lambda: dom.blockCommit("vda", None, "%s/vda.s3" % D, 0, 0))
time.sleep(1)
rec("commit_middle_events", lambda: list(events))
rec("live_after_commit_middle", lambda: dom.XMLDesc(0))
rec("inactive_after_commit_middle", lambda: dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
events.clear()
rec("pull", lambda: dom.blockPull("vda", 0, 0))
time.sleep(1)
rec("pull_events", lambda: list(events))
rec("live_after_pull", lambda: dom.XMLDesc(0))
rec("inactive_after_pull", lambda: dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
dom.snapshotCreateXML("<domainsnapshot><name>s5</name></domainsnapshot>",
                      libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY)
events.clear()
rec("commit_active_bw", lambda: dom.blockCommit("vda", None, None, 1,
                                                libvirt.VIR_DOMAIN_BLOCK_COMMIT_ACTIVE))
wait_job(dom, "vda")
rec("commit_active_bw_info", lambda: dom.blockJobInfo("vda", 0))
rec("commit_active_bw_info_bytes", lambda: dom.blockJobInfo(
    "vda", libvirt.VIR_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES))
rec("set_speed_2", lambda: dom.blockJobSetSpeed("vda", 2, 0))
rec("commit_active_bw_info_2", lambda: dom.blockJobInfo("vda", 0))
rec("commit_cancel", lambda: dom.blockJobAbort("vda", 0))
time.sleep(0.5)
rec("commit_cancel_events", lambda: list(events))
rec("live_after_commit_cancel", lambda: dom.XMLDesc(0))
rec("s5_file_before_delete", lambda: os.path.exists("%s/vda.s5" % D))
events.clear()
rec("delete_external_s5", lambda: dom.snapshotLookupByName("s5").delete(0))
time.sleep(0.5)
rec("delete_external_s5_events", lambda: list(events))
rec("s5_file_after_delete", lambda: os.path.exists("%s/vda.s5" % D))
rec("snapshots_after_delete_s5", lambda: dom.snapshotListNames(0))
rec("current_after_delete_s5", lambda: dom.snapshotCurrent(0).getName())
rec("live_after_delete_s5", lambda: dom.XMLDesc(0))
rec("inactive_after_delete_s5", lambda: dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE))
events.clear()
rec("copy", lambda: dom.blockCopy("vda", "<disk type='file'><source file='%s/copy.qcow2'/>"
                                  "<driver type='qcow2'/></disk>" % D, None, 0))
tdom = conn.createXML(open(os.path.join(D, "dom.xml")).read()
                      .replace("<name>qb</name>", "<name>qbt</name>")
                      .replace("33333333-2222-3333-4444-777777777777",
                               "33333333-2222-3333-4444-888888888888")
                      .replace("vda.qcow2", "t.qcow2"), 0)
time.sleep(0.5)
rec("copy_transient", lambda: tdom.blockCopy("vda", "<disk type='file'><source file='%s/copy.qcow2'/>"
                                             "<driver type='qcow2'/></disk>" % D, None, 0))
wait_job(tdom, "vda")
rec("copy_info", lambda: tdom.blockJobInfo("vda", 0))
rec("copy_live", lambda: tdom.XMLDesc(0))
rec("copy_pivot", lambda: tdom.blockJobAbort("vda", libvirt.VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT))
time.sleep(0.5)
rec("copy_pivot_events", lambda: list(events))
rec("live_after_copy_pivot", lambda: tdom.XMLDesc(0))
events.clear()
rec("copy_transient_2", lambda: tdom.blockCopy(
    "vda", "<disk type='file'><source file='%s/copy2.qcow2'/><driver type='qcow2'/></disk>" % D,
    None, libvirt.VIR_DOMAIN_BLOCK_COPY_SHALLOW))
wait_job(tdom, "vda")
rec("copy2_abort", lambda: tdom.blockJobAbort("vda", 0))
time.sleep(0.5)
rec("copy2_abort_events", lambda: list(events))
rec("live_after_copy2_abort", lambda: tdom.XMLDesc(0))
rec("copy2_exists", lambda: os.path.exists("%s/copy2.qcow2" % D))
tdom.destroy()
dom.destroy()
rec("snapshot_inactive_disk_only", lambda: dom.snapshotCreateXML(
    "<domainsnapshot><name>off1</name></domainsnapshot>",
    libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY))
rec("off1_xml", lambda: dom.snapshotLookupByName("off1").getXMLDesc(0))
rec("inactive_after_off1", lambda: dom.XMLDesc(0))
stop = True
json.dump(out, open(OUT, "w"), indent=1, sort_keys=True)
print("recorded", len(out))
