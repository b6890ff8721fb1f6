// Checkpoints on a real QEMU (TCG) with a qcow2 disk: two checkpoints with guest-like writes
// between them (HMP qemu-io on the disk), their sizes through XML_SIZE, the persistent
// bitmaps in the image once QEMU is gone (qemu-img info), the first deleted after a restart
// (its bitmap removed, the second's untouched: libvirt 9.0 merges nothing), then listed; a
// checkpoint carried across an external snapshot and through an active commit.
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import { qcow2Domain, type RealDriver, realQemuTest, withRealDriver } from "./real_qemu.ts";
import { waitFor } from "../../wait.ts";

const E = VIR;

/** The bitmap names `qemu-img info` finds in the image. */
async function bitmapsInImage(file: string): Promise<string[]> {
  const out = await new Deno.Command("qemu-img", {
    args: ["info", "--force-share", "--output=json", file],
    stdout: "piped",
  }).output();
  assert.ok(out.success);
  const info = JSON.parse(new TextDecoder().decode(out.stdout));
  const bitmaps: { name: string; flags: string[] }[] = info["format-specific"].data.bitmaps ?? [];
  for (const b of bitmaps) assert.deepEqual(b.flags, ["auto"], `${b.name} is enabled, consistent`);
  return bitmaps.map((b) => b.name);
}

realQemuTest({
  name: "real QEMU: two checkpoints on a qcow2 disk, sizes, bitmaps in the image, delete, list",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withRealDriver("ev-qemu-chk-", async ({ dir, launcher, conn }) => {
      const { disk, xml } = await qcow2Domain(dir, "rck");
      const dom = await conn.domainDefineXMLFlags!(xml, 0);
      await conn.domainCreateWithFlags!(dom, 0);
      const write = (offset: string) =>
        launcher.procs.at(-1)!.monitor.run("human-monitor-command", {
          "command-line":
            `qemu-io -d /machine/peripheral/virtio-disk0/virtio-backend "write ${offset} 64k"`,
        });
      const chk = (name: string) => `<domaincheckpoint><name>${name}</name></domaincheckpoint>`;
      const sizeOf = async (name: string) => {
        const xml = await conn.domainCheckpointGetXMLDesc!(dom, name, E.DOMAIN_CHECKPOINT_XML_SIZE);
        return Number(/ bitmap='[^']*' size='(\d+)'/.exec(xml)?.[1]);
      };

      await conn.domainCheckpointCreateXML!(dom, chk("c1"), 0);
      assert.equal(await write("0"), "", "qemu-io wrote");
      await conn.domainCheckpointCreateXML!(dom, chk("c2"), 0);
      assert.equal(await write("1M"), "", "qemu-io wrote");
      assert.equal(await sizeOf("c1"), 128 * 1024, "c1 saw both writes");
      assert.equal(await sizeOf("c2"), 64 * 1024, "c2 saw the second");
      assert.equal(await conn.domainCheckpointGetParent!(dom, "c2", 0), "c1");

      await conn.domainDestroyFlags!(dom, 0);
      assert.deepEqual((await bitmapsInImage(disk)).sort(), ["c1", "c2"]);

      await conn.domainCreateWithFlags!(dom, 0);
      assert.equal(await sizeOf("c2"), 64 * 1024, "the bitmap came back from the image");
      await conn.domainCheckpointDelete!(dom, "c1", 0);
      assert.deepEqual(await conn.domainListAllCheckpoints!(dom, 0), ["c2"]);
      assert.equal(await sizeOf("c2"), 64 * 1024, "c2 records on its own");
      const orphan = await conn.domainCheckpointGetParent!(dom, "c2", 0).catch((e) => e);
      assert.equal(orphan.code, E.ERR_NO_DOMAIN_CHECKPOINT);

      await conn.domainDestroyFlags!(dom, 0);
      assert.deepEqual(await bitmapsInImage(disk), ["c2"]);
      assert.deepEqual(await conn.domainListAllCheckpoints!(dom, E.DOMAIN_CHECKPOINT_LIST_ROOTS), [
        "c2",
      ]);
    });
  },
});

/**
 * A running transient domain on a new qcow2 `vda.qcow2` with checkpoint c1, 64 KiB written at
 * 0, then an external snapshot `vda.s1` and 64 KiB written at 1M.
 */
async function c1AcrossSnapshot({ dir, launcher, conn }: RealDriver) {
  const overlay = `${dir}/vda.s1`;
  const { disk: base, xml } = await qcow2Domain(dir, "rcx");
  const dom = await conn.domainCreateXML!(xml, 0);
  const monitor = () => launcher.procs.at(-1)!.monitor;
  const write = (offset: string) =>
    monitor().run("human-monitor-command", {
      "command-line":
        `qemu-io -d /machine/peripheral/virtio-disk0/virtio-backend "write ${offset} 64k"`,
    });
  await conn.domainCheckpointCreateXML!(
    dom,
    "<domaincheckpoint><name>c1</name></domaincheckpoint>",
    0,
  );
  assert.equal(await write("0"), "", "qemu-io wrote");
  await conn.domainSnapshotCreateXML!(
    dom,
    `<domainsnapshot><name>s1</name><disks><disk name='vda'><source file='${overlay}'/>` +
      "</disk></disks></domainsnapshot>",
    E.DOMAIN_SNAPSHOT_CREATE_DISK_ONLY | E.DOMAIN_SNAPSHOT_CREATE_NO_METADATA,
  );
  assert.equal(await write("1M"), "", "qemu-io wrote");
  /** The nodes holding the bitmap `name`. */
  const holders = async (name = "c1") => {
    const nodes = await monitor().run<
      { "node-name": string; "dirty-bitmaps"?: { name: string }[] }[]
    >("query-named-block-nodes", { flat: true });
    return nodes.filter((n) => n["dirty-bitmaps"]?.some((b) => b.name === name))
      .map((n) => n["node-name"]).sort();
  };
  /** The size XML_SIZE gives the checkpoint's disk. */
  const sizeOf = async (name = "c1") => {
    const xml = await conn.domainCheckpointGetXMLDesc!(dom, name, E.DOMAIN_CHECKPOINT_XML_SIZE);
    return Number(/ bitmap='[^']*' size='(\d+)'/.exec(xml)?.[1]);
  };
  return { base, overlay, dom, write, holders, sizeOf };
}

realQemuTest({
  name:
    "real QEMU: a checkpoint across an external snapshot: bitmap propagated, size merged, deleted from both images",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withRealDriver("ev-qemu-chk-ext-", async (real) => {
      const { base, overlay, dom, holders, sizeOf } = await c1AcrossSnapshot(real);
      const { conn } = real;
      assert.equal(await sizeOf(), 128 * 1024, "both layers' bitmaps merged");
      assert.deepEqual(await holders(), ["libvirt-1-format", "libvirt-2-format"], "c1 in both");

      await conn.domainCheckpointDelete!(dom, "c1", 0);
      assert.deepEqual(await conn.domainListAllCheckpoints!(dom, 0), []);
      await conn.domainDestroyFlags!(dom, 0);
      assert.deepEqual(await bitmapsInImage(overlay), []);
      assert.deepEqual(await bitmapsInImage(base), []);
    });
  },
});

realQemuTest({
  name:
    "real QEMU: an active commit keeps the checkpoints: the overlay's bitmaps merged into the base",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withRealDriver("ev-qemu-chk-commit-", async (real) => {
      const { base, dom, write, holders, sizeOf } = await c1AcrossSnapshot(real);
      const { conn } = real;
      // c2 is the overlay's alone: without libvirt's merge it would go with the overlay (QEMU's
      // commit itself marks the base's own bitmaps, c1, as it writes).
      await conn.domainCheckpointCreateXML!(
        dom,
        "<domaincheckpoint><name>c2</name></domaincheckpoint>",
        0,
      );
      assert.equal(await write("2M"), "", "qemu-io wrote");
      assert.deepEqual(await holders("c2"), ["libvirt-2-format"], "c2 on the overlay alone");
      await conn.domainBlockCommit!(dom, "vda", null, null, 0, E.DOMAIN_BLOCK_COMMIT_ACTIVE);
      await waitFor(
        async () => (await conn.domainGetXMLDesc!(dom, 0)).includes("ready='yes'"),
        30_000,
        20,
        "active commit ready",
      );
      await conn.domainBlockJobAbort!(dom, "vda", E.DOMAIN_BLOCK_JOB_ABORT_PIVOT);
      assert.deepEqual(await holders("c1"), ["libvirt-1-format"], "c1 on the base alone");
      assert.deepEqual(await holders("c2"), ["libvirt-1-format"], "c2 merged into the base");
      assert.equal(await sizeOf("c1"), 3 * 64 * 1024, "c1 has the three writes");
      assert.equal(await sizeOf("c2"), 64 * 1024, "c2 the last");
      await conn.domainDestroyFlags!(dom, 0);
      assert.deepEqual((await bitmapsInImage(base)).sort(), ["c1", "c2"]);
    });
  },
});
