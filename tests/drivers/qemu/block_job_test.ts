// External disk-only snapshots and block jobs against a fake QEMU: the QMP sequences of
// libvirt 9.0 (blockdev-add of the overlay's file, a blockdev-create job, blockdev-add of its
// qcow2 node, one transaction of blockdev-snapshot; block-commit with its job id and nodes,
// job-complete to pivot) and its answers and errors as recorded from libvirt 9.0's QEMU driver
// (tests/fixtures/oracle/block_jobs.json, by tests/tools/block_jobs/record.sh). Node indexes
// follow edgevirt's numbering of command-line disks (the empty cdrom counts), one past libvirt's.
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import { error, qmp, setup } from "./fake_qmp/block_harness.ts";

const E = VIR;
const recorded = JSON.parse(
  await Deno.readTextFile(new URL("../../fixtures/oracle/block_jobs.json", import.meta.url)),
);

/** A recorded libvirt error, as `code/domain message`, its directory replaced by `dir`. */
function libvirtError(key: string, dir = ""): string {
  const e = recorded[key].error;
  return `${e.code}/${e.domain} ${e.message.replaceAll("@DIR@", dir)}`;
}

const asText = async (p: Promise<unknown>) => {
  const e = await error(p);
  return `${e.code}/${e.domain} ${e.message}`;
};

const jobEvents = (events: { eventId: number; data: Record<string, unknown> }[]) =>
  events.filter((e) =>
    e.eventId === E.DOMAIN_EVENT_ID_BLOCK_JOB || e.eventId === E.DOMAIN_EVENT_ID_BLOCK_JOB_2
  ).map((e) => e.data);

Deno.test("disk-only snapshot, active commit and pivot: libvirt's QMP, XML, events and errors", async () => {
  const t = await setup();
  t.block.nodes.set("drive0", { file: "/img/vda.img", size: 1 << 20, drv: "raw" });
  const overlay = `${t.dir}/vda.s1`;
  try {
    // No backing chain yet: libvirt's chain lookup fails before anything else.
    assert.equal(
      await asText(t.conn.domainBlockCommit!(t.dom, "vda", null, null, 0, 0)),
      libvirtError("commit_no_backing").replace("@DIR@", ""),
    );
    assert.deepEqual(
      await t.conn.domainGetBlockJobInfo!(t.dom, "vda", 0),
      recorded.job_info_none.ok,
    );
    assert.equal(
      await asText(t.conn.domainBlockJobAbort!(t.dom, "vda", 0)),
      libvirtError("job_abort_none"),
    );
    assert.equal(
      await asText(t.conn.domainGetBlockJobInfo!(t.dom, "vdz", 0)),
      libvirtError("job_info_bad_disk"),
    );
    assert.equal(
      await asText(t.conn.domainSnapshotCreateXML!(
        t.dom,
        "<domainsnapshot><name>x</name><disks><disk name='vda' snapshot='internal'/></disks></domainsnapshot>",
        E.DOMAIN_SNAPSHOT_CREATE_DISK_ONLY,
      )),
      libvirtError("snapshot_internal_raw_disk_only"),
    );
    await Deno.writeTextFile(`${t.dir}/exists.qcow2`, "x");
    assert.equal(
      await asText(t.conn.domainSnapshotCreateXML!(
        t.dom,
        `<domainsnapshot><name>x</name><disks><disk name='vda'><source file='${t.dir}/exists.qcow2'/></disk><disk name='hdc' snapshot='no'/></disks></domainsnapshot>`,
        E.DOMAIN_SNAPSHOT_CREATE_DISK_ONLY,
      )),
      libvirtError("snapshot_exists", t.dir),
    );

    const snap =
      `<domainsnapshot><name>s1</name><disks><disk name='vda'><source file='${overlay}'/>` +
      "</disk><disk name='hdc' snapshot='no'/></disks></domainsnapshot>";
    assert.equal(
      await t.conn.domainSnapshotCreateXML!(t.dom, snap, E.DOMAIN_SNAPSHOT_CREATE_DISK_ONLY),
      "s1",
    );
    assert.deepEqual(qmp(t).map((c) => [c.execute, c.arguments]), [
      ["blockdev-add", {
        driver: "file",
        filename: overlay,
        "node-name": "libvirt-3-storage",
        "auto-read-only": true,
        discard: "unmap",
      }],
      ["blockdev-create", {
        "job-id": "create-libvirt-3-format",
        options: {
          driver: "qcow2",
          file: "libvirt-3-storage",
          size: 1 << 20,
          "backing-file": "/img/vda.img",
          "backing-fmt": "raw",
        },
      }],
      ["job-dismiss", { id: "create-libvirt-3-format" }],
      ["blockdev-add", {
        "node-name": "libvirt-3-format",
        "read-only": false,
        driver: "qcow2",
        file: "libvirt-3-storage",
        backing: null,
      }],
      ["transaction", {
        actions: [{
          type: "blockdev-snapshot",
          data: { node: "drive0", overlay: "libvirt-3-format" },
        }],
      }],
    ]);
    assert.equal((await Deno.stat(overlay)).isFile, true);
    const live = await t.conn.domainGetXMLDesc!(t.dom, 0);
    assert.match(
      live,
      new RegExp(
        `<driver name='qemu' type='qcow2'/>\\s*<source file='${overlay}' index='3'/>\\s*` +
          "<backingStore type='file' index='1'>\\s*<format type='raw'/>\\s*<source file='/img/vda.img'/>\\s*<backingStore/>",
      ),
    );
    const config = await t.conn.domainGetXMLDesc!(t.dom, E.DOMAIN_XML_INACTIVE);
    assert.match(
      config,
      new RegExp(
        `<source file='${overlay}'/>\\s*<backingStore type='file'>\\s*<format type='raw'/>\\s*` +
          "<source file='/img/vda.img'/>\\s*</backingStore>",
      ),
    );
    const snapXml = await t.conn.domainSnapshotGetXMLDesc!(t.dom, "s1", 0);
    assert.match(snapXml, /<state>disk-snapshot<\/state>/);
    assert.match(snapXml, /<memory snapshot='no'\/>/);
    assert.match(
      snapXml,
      new RegExp(
        `<disk name='vda' snapshot='external' type='file'>\\s*<driver type='qcow2'/>\\s*<source file='${overlay}'/>`,
      ),
    );
    assert.equal(
      await asText(t.conn.domainRevertToSnapshot!(t.dom, "s1", 0)),
      libvirtError("revert_s1"),
    );

    t.events.length = 0;
    assert.equal(
      await asText(t.conn.domainBlockCommit!(t.dom, "vda", null, null, 0, 0)),
      libvirtError("commit_active_no_flag"),
    );
    const fake = [...t.launcher.instances.values()].at(-1)!;
    fake.commands.length = 0;
    await t.conn.domainBlockCommit!(t.dom, "vda", null, null, 1, E.DOMAIN_BLOCK_COMMIT_ACTIVE);
    assert.deepEqual(qmp(t).map((c) => [c.execute, c.arguments]), [
      ["block-commit", {
        device: "libvirt-3-format",
        "job-id": "commit-vda-libvirt-3-format",
        speed: 1 << 20,
        "top-node": "libvirt-3-format",
        "base-node": "drive0",
        "auto-finalize": true,
        "auto-dismiss": false,
      }],
    ]);
    assert.equal(
      await asText(t.conn.domainBlockPull!(t.dom, "vda", 0, 0)),
      libvirtError("commit_second_job"),
    );
    for (let i = 0; i < 100 && !jobEvents(t.events).length; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.deepEqual(await t.conn.domainGetBlockJobInfo!(t.dom, "vda", 0), {
      ...recorded.commit_active_bw_info.ok,
    });
    assert.match(
      await t.conn.domainGetXMLDesc!(t.dom, 0),
      /<mirror type='file' job='active-commit' ready='yes'>\s*<format type='raw'\/>\s*<source file='\/img\/vda.img' index='1'\/>\s*<\/mirror>\s*<target/,
    );
    await t.conn.domainBlockJobAbort!(t.dom, "vda", E.DOMAIN_BLOCK_JOB_ABORT_PIVOT);
    const names = (d: Record<string, unknown>) => ({
      ...d,
      disk: String(d.disk).replace(overlay, "@DIR@/vda.s2").replace(
        "/img/vda.img",
        "@DIR@/vda.qcow2",
      ),
    });
    // libvirt's events in libvirt's order, the disk paths aside (its chain was one longer).
    assert.deepEqual(
      jobEvents(t.events).map(names),
      recorded.commit_pivot_events.ok.map((e: Record<string, unknown>) => ({
        disk: e.disk,
        type: e.type,
        status: e.status,
      })),
    );
    assert.ok(qmp(t).some((c) => c.execute === "job-complete"));
    assert.ok(qmp(t).some((c) => c.execute === "blockdev-del"));
    const after = await t.conn.domainGetXMLDesc!(t.dom, 0);
    assert.match(after, /<source file='\/img\/vda.img' index='1'\/>\s*<backingStore\/>\s*<target/);
    assert.match(
      await t.conn.domainGetXMLDesc!(t.dom, E.DOMAIN_XML_INACTIVE),
      /<source file='\/img\/vda.img'\/>\s*<target/,
    );
    assert.deepEqual(await t.conn.domainGetBlockJobInfo!(t.dom, "vda", 0), {});
    assert.equal(
      await asText(t.conn.domainSnapshotDelete!(t.dom, "s1", 0)),
      "67/10 unsupported configuration: deletion of 1 external disk snapshots not supported yet",
    );
  } finally {
    await t.close();
  }
});
