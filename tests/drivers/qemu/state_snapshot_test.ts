// Internal snapshots of a running domain against a fake QEMU: snapshot-save / snapshot-delete
// jobs on the disks' nodes (query-jobs until concluded, job-dismiss), the metadata tree as
// libvirt keeps it (current, parent, lists, XML, persisted across a driver restart), revert
// by a new QEMU started with -loadvm (qemuSnapshotRevertActive's states and events), and
// libvirt 9.0's refusals (qemu_snapshot.c).
import assert from "node:assert/strict";
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import { VIR } from "../../../util/constants.ts";
import type { DriverConnection } from "../../../util/driver.ts";
import { error, qmp, type Setup, setup, VDA, XML } from "./fake_qmp/block_harness.ts";
import { IMG } from "./images.ts";

const E = VIR;
const QCOW2 = XML.replace("<driver name='qemu' type='raw'/>", "<driver name='qemu' type='qcow2'/>");
const snapXML = (name: string) => `<domainsnapshot><name>${name}</name></domainsnapshot>`;

function lifecycle(t: Setup): string[] {
  return t.events.filter((e) => e.eventId === E.DOMAIN_EVENT_ID_LIFECYCLE)
    .map((e) => `${e.data.event}/${e.data.detail}`);
}

Deno.test("snapshot of a running domain: paused, snapshot-save job on its qcow2 node, resumed", async () => {
  const t = await setup({ xml: QCOW2 });
  try {
    assert.equal(await t.conn.domainSnapshotCreateXML!(t.dom, snapXML("s1"), 0), "s1");
    assert.deepEqual(qmp(t).map((c) => [c.execute, c.arguments]), [
      ["stop", undefined],
      ["snapshot-save", {
        "job-id": qmp(t)[1].arguments!["job-id"],
        tag: "s1",
        vmstate: "libvirt-2-format",
        devices: ["libvirt-2-format"],
      }],
      ["job-dismiss", { id: qmp(t)[1].arguments!["job-id"] }],
      ["cont", undefined],
    ]);
    assert.deepEqual([...t.block.snapshots.get("libvirt-2-format")!], ["s1"]);
    assert.equal((await t.conn.domainGetState!(t.dom, 0))[0], E.DOMAIN_RUNNING);
    const xml = await t.conn.domainSnapshotGetXMLDesc!(t.dom, "s1", 0);
    assert.match(xml, /<state>running<\/state>/);
    assert.match(xml, /<memory snapshot='internal'\/>/);
    assert.match(xml, /<disk name='vda' snapshot='internal'\/>/);
    assert.match(xml, /<disk name='hdc' snapshot='no'\/>/);

    await t.conn.domainSnapshotCreateXML!(t.dom, snapXML("s2"), 0);
    assert.deepEqual(await t.conn.domainListAllSnapshots!(t.dom, 0), ["s1", "s2"]);
    assert.equal(await t.conn.domainSnapshotCurrent!(t.dom, 0), "s2");
    assert.equal(await t.conn.domainSnapshotGetParent!(t.dom, "s2", 0), "s1");
    assert.deepEqual(await t.conn.domainSnapshotListAllChildren!(t.dom, "s1", 0), ["s2"]);
    assert.equal(await t.conn.domainSnapshotNum!(t.dom, E.DOMAIN_SNAPSHOT_LIST_ROOTS), 1);
    assert.deepEqual(await t.conn.domainSnapshotListNames!(t.dom, E.DOMAIN_SNAPSHOT_LIST_LEAVES), [
      "s2",
    ]);
    assert.equal(await t.conn.domainSnapshotNumChildren!(t.dom, "s1", 0), 1);
    assert.deepEqual(await t.conn.domainSnapshotListChildrenNames!(t.dom, "s2", 0), []);
    assert.equal(await t.conn.domainSnapshotLookupByName!(t.dom, "s1", 0), "s1");
    assert.equal(await t.conn.domainSnapshotIsCurrent!(t.dom, "s1", 0), false);
    assert.equal(await t.conn.domainSnapshotIsCurrent!(t.dom, "s2", 0), true);
    assert.equal(await t.conn.domainSnapshotHasMetadata!(t.dom, "s1", 0), true);
    const badFlags = await error(t.conn.domainSnapshotNum!(t.dom, 1 << 20));
    assert.equal(badFlags.code, E.ERR_INVALID_ARG);
    const noParent = await error(t.conn.domainSnapshotGetParent!(t.dom, "s1", 0));
    assert.deepEqual(
      [noParent.code, noParent.message],
      [E.ERR_NO_DOMAIN_SNAPSHOT, "Domain snapshot not found: snapshot 's1' does not have a parent"],
    );
    const none = await error(t.conn.domainSnapshotLookupByName!(t.dom, "zz", 0));
    assert.equal(
      none.message,
      "Domain snapshot not found: no domain snapshot with matching name 'zz'",
    );

    // The metadata outlives the driver.
    await t.conn.connectClose();
    const conn = await qemuConnectDriver.open(new URL("qemu:///session"), {
      stateDir: t.dir,
      launcher: t.launcher,
    }) as DriverConnection;
    t.conn = conn;
    assert.deepEqual(await conn.domainListAllSnapshots!(t.dom, 0), ["s1", "s2"]);
    assert.equal(await conn.domainSnapshotCurrent!(t.dom, 0), "s2");

    // An inactive domain with snapshots is undefined only with their metadata.
    await conn.domainDestroyFlags!(t.dom, 0);
    const undef = await error(conn.domainUndefineFlags!(t.dom, 0));
    assert.deepEqual([undef.code, undef.message], [
      E.ERR_OPERATION_INVALID,
      "Requested operation is not valid: cannot delete inactive domain with 2 snapshots",
    ]);
    await conn.domainUndefineFlags!(t.dom, E.DOMAIN_UNDEFINE_SNAPSHOTS_METADATA);
    assert.equal(await Deno.stat(`${t.dir}/snapshot/hp.json`).then(() => true, () => false), false);
  } finally {
    await t.close();
  }
});

Deno.test("revert to a running snapshot: stop, new QEMU with -loadvm, running from snapshot", async () => {
  const t = await setup({ xml: QCOW2 });
  try {
    await t.conn.domainSnapshotCreateXML!(t.dom, snapXML("s1"), 0);
    await t.conn.domainSnapshotCreateXML!(t.dom, snapXML("s2"), 0);
    t.events.length = 0;
    const launches = t.launcher.launches.length;
    await t.conn.domainRevertToSnapshot!(t.dom, "s1", 0);
    assert.equal(t.launcher.launches.length, launches + 1);
    assert.deepEqual(t.launcher.launches.at(-1)!.slice(-2), ["-loadvm", "s1"]);
    assert.deepEqual(await t.conn.domainGetState!(t.dom, 0), [
      E.DOMAIN_RUNNING,
      E.DOMAIN_RUNNING_FROM_SNAPSHOT,
    ]);
    assert.deepEqual(lifecycle(t).filter((e) => !e.startsWith(`${E.DOMAIN_EVENT_RESUMED}/`)), [
      `${E.DOMAIN_EVENT_STOPPED}/${E.DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT}`,
      `${E.DOMAIN_EVENT_STARTED}/${E.DOMAIN_EVENT_STARTED_FROM_SNAPSHOT}`,
    ]);
    assert.equal(await t.conn.domainSnapshotCurrent!(t.dom, 0), "s1");
    await t.conn.domainRevertToSnapshot!(t.dom, "s2", E.DOMAIN_SNAPSHOT_REVERT_PAUSED);
    assert.deepEqual(await t.conn.domainGetState!(t.dom, 0), [
      E.DOMAIN_PAUSED,
      E.DOMAIN_PAUSED_FROM_SNAPSHOT,
    ]);
    assert.equal(
      lifecycle(t).at(-1),
      `${E.DOMAIN_EVENT_SUSPENDED}/${E.DOMAIN_EVENT_SUSPENDED_FROM_SNAPSHOT}`,
    );
  } finally {
    await t.close();
  }
});

Deno.test("delete: snapshot-delete job on the nodes; children move up, or go with CHILDREN", async () => {
  const t = await setup({ xml: QCOW2 });
  try {
    for (const n of ["s1", "s2", "s3"]) await t.conn.domainSnapshotCreateXML!(t.dom, snapXML(n), 0);
    await t.conn.domainSnapshotDelete!(t.dom, "s2", 0);
    assert.equal(
      qmp(t).filter((c) => c.execute === "snapshot-delete").at(-1)!.arguments!.tag,
      "s2",
    );
    assert.equal(await t.conn.domainSnapshotGetParent!(t.dom, "s3", 0), "s1");
    assert.deepEqual([...t.block.snapshots.get("libvirt-2-format")!], ["s1", "s3"]);
    await t.conn.domainSnapshotDelete!(t.dom, "s1", E.DOMAIN_SNAPSHOT_DELETE_CHILDREN);
    assert.deepEqual(await t.conn.domainListAllSnapshots!(t.dom, 0), []);
    assert.deepEqual([...t.block.snapshots.get("libvirt-2-format")!], []);
    assert.equal(await t.conn.domainHasCurrentSnapshot!(t.dom, 0), false);
    await t.conn.domainSnapshotCreateXML!(t.dom, snapXML("m"), 0);
    const jobs = qmp(t).length;
    await t.conn.domainSnapshotDelete!(t.dom, "m", E.DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY);
    assert.equal(qmp(t).length, jobs, "metadata only: QEMU is not asked");
    assert.deepEqual([...t.block.snapshots.get("libvirt-2-format")!], ["m"]);
  } finally {
    await t.close();
  }
});

Deno.test("snapshot refusals: raw disk, external or disk-only, halt of a transient domain", async () => {
  // A disk on a folder, which starts (it exists) but is no regular file an overlay can be named
  // after: the disk-only snapshot is refused.
  const t = await setup({ xml: XML.replace(VDA, IMG) }, false);
  try {
    const raw = await error(t.conn.domainSnapshotCreateXML!(t.dom, snapXML("r"), 0));
    assert.deepEqual([raw.code, raw.message], [
      E.ERR_CONFIG_UNSUPPORTED,
      "unsupported configuration: internal snapshot for disk vda unsupported for storage type raw",
    ]);
    assert.equal((await t.conn.domainGetState!(t.dom, 0))[0], E.DOMAIN_RUNNING);
    const halt = await error(
      t.conn.domainSnapshotCreateXML!(t.dom, snapXML("h"), E.DOMAIN_SNAPSHOT_CREATE_HALT),
    );
    assert.equal(
      halt.message,
      "Requested operation is not valid: cannot halt after transient domain snapshot",
    );
    const disk = await error(
      t.conn.domainSnapshotCreateXML!(t.dom, snapXML("d"), E.DOMAIN_SNAPSHOT_CREATE_DISK_ONLY),
    );
    assert.deepEqual([disk.code, disk.message], [
      E.ERR_CONFIG_UNSUPPORTED,
      "unsupported configuration: source for disk 'vda' is not a regular file; refusing to " +
      "generate external snapshot name",
    ]);
    assert.deepEqual(await t.conn.domainListAllSnapshots!(t.dom, 0), []);
  } finally {
    await t.close();
  }
});
