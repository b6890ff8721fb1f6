// Checkpoints of a running domain against a fake QEMU: the QMP transactions libvirt 9.0's
// qemu_checkpoint.c sends (a persistent bitmap per qcow2 disk on create, its removal on
// delete, the merge into libvirt-tmp-size-xml for XML_SIZE), the metadata tree (parent,
// current, list filters, children, persisted across a driver restart, redefinition with and
// without bitmap validation) and libvirt's refusals with its codes and wording.
import assert from "node:assert/strict";
import { qemuConnectDriver } from "../../../drivers/qemu/mod.ts";
import { VIR } from "../../../util/constants.ts";
import type { DriverConnection } from "../../../util/driver.ts";
import { error, qmp, type Setup, setup, VDA as VDA_IMAGE, XML } from "./fake_qmp/block_harness.ts";
import { imageDir } from "./images.ts";

const E = VIR;
const QCOW2 = XML.replace("<driver name='qemu' type='raw'/>", "<driver name='qemu' type='qcow2'/>");
const chkXML = (name: string) => `<domaincheckpoint><name>${name}</name></domaincheckpoint>`;
/** vda's format node: the cdrom (last disk) is libvirt-1, vda libvirt-2. */
const VDA = "libvirt-2-format";

const commands = (t: Setup) => qmp(t).map((c) => [c.execute, c.arguments]);
// The node's bitmaps by name (QEMU lists them newest first).
const bitmaps = (t: Setup) => (t.block.nodes.get(VDA)!.bitmaps ?? []).map((b) => b.name).sort();

async function withCheckpoints(fn: (t: Setup) => Promise<void>, xml = QCOW2): Promise<void> {
  const t = await setup({ xml });
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

Deno.test("create: one transaction adds a persistent recording bitmap to each qcow2 disk's top node", () =>
  withCheckpoints(async (t) => {
    assert.equal(await t.conn.domainCheckpointCreateXML!(t.dom, chkXML("c1"), 0), "c1");
    assert.deepEqual(commands(t), [
      ["transaction", {
        actions: [{
          type: "block-dirty-bitmap-add",
          data: { node: VDA, name: "c1", persistent: true, disabled: false },
        }],
      }],
    ]);
    await t.conn.domainCheckpointCreateXML!(t.dom, chkXML("c2"), 0);
    assert.deepEqual(bitmaps(t), ["c1", "c2"]);
    const xml = await t.conn.domainCheckpointGetXMLDesc!(
      t.dom,
      "c2",
      E.DOMAIN_CHECKPOINT_XML_NO_DOMAIN,
    );
    assert.match(xml, /<parent>\n {4}<name>c1<\/name>\n {2}<\/parent>/);
    assert.match(xml, /<disk name='vda' checkpoint='bitmap' bitmap='c2'\/>/);
    assert.match(xml, /<disk name='hdc' checkpoint='no'\/>/);
    assert.doesNotMatch(xml, /<domain /);
    assert.match(await t.conn.domainCheckpointGetXMLDesc!(t.dom, "c2", 0), /<domain type='qemu'>/);

    assert.deepEqual(await t.conn.domainListAllCheckpoints!(t.dom, 0), ["c1", "c2"]);
    const list = (flags: number) => t.conn.domainListAllCheckpoints!(t.dom, flags);
    assert.deepEqual(await list(E.DOMAIN_CHECKPOINT_LIST_ROOTS), ["c1"]);
    assert.deepEqual(await list(E.DOMAIN_CHECKPOINT_LIST_LEAVES), ["c2"]);
    assert.deepEqual(await list(E.DOMAIN_CHECKPOINT_LIST_NO_LEAVES), ["c1"]);
    assert.deepEqual(
      await list(E.DOMAIN_CHECKPOINT_LIST_LEAVES | E.DOMAIN_CHECKPOINT_LIST_NO_LEAVES),
      [],
    );
    assert.deepEqual(await list(E.DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL), ["c1", "c2"]);
    assert.deepEqual(await t.conn.domainCheckpointListAllChildren!(t.dom, "c1", 0), ["c2"]);
    assert.equal(await t.conn.domainCheckpointLookupByName!(t.dom, "c2", 0), "c2");
    assert.equal(await t.conn.domainCheckpointGetParent!(t.dom, "c2", 0), "c1");
    const noParent = await error(t.conn.domainCheckpointGetParent!(t.dom, "c1", 0));
    assert.deepEqual(
      [noParent.code, noParent.domain, noParent.message],
      [
        E.ERR_NO_DOMAIN_CHECKPOINT,
        E.FROM_QEMU,
        "Domain checkpoint not found: checkpoint 'c1' does not have a parent",
      ],
    );
    const none = await error(t.conn.domainCheckpointLookupByName!(t.dom, "zz", 0));
    assert.equal(
      none.message,
      "Domain checkpoint not found: no domain checkpoint with matching name 'zz'",
    );
    const flags = await error(t.conn.domainListAllCheckpoints!(t.dom, 1 << 8));
    assert.equal(
      flags.message,
      "unsupported flags (0x100) in function qemuDomainListAllCheckpoints",
    );

    // The metadata outlives the driver.
    await t.conn.connectClose();
    t.conn = await qemuConnectDriver.open(new URL("qemu:///session"), {
      stateDir: t.dir,
      launcher: t.launcher,
    }) as DriverConnection;
    assert.deepEqual(await t.conn.domainListAllCheckpoints!(t.dom, 0), ["c1", "c2"]);
    assert.equal(await t.conn.domainCheckpointGetParent!(t.dom, "c2", 0), "c1");
  }));

Deno.test("XML_SIZE: the bitmap merged into libvirt-tmp-size-xml, its dirty bytes read, the temporary one removed", () =>
  withCheckpoints(async (t) => {
    await t.conn.domainCheckpointCreateXML!(t.dom, chkXML("c1"), 0);
    t.block.nodes.get(VDA)!.bitmaps![0].count = 196608;
    const fake = [...t.launcher.instances.values()].at(-1)!;
    fake.commands.length = 0;
    const xml = await t.conn.domainCheckpointGetXMLDesc!(
      t.dom,
      "c1",
      E.DOMAIN_CHECKPOINT_XML_SIZE | E.DOMAIN_CHECKPOINT_XML_NO_DOMAIN,
    );
    assert.match(xml, /<disk name='vda' checkpoint='bitmap' bitmap='c1' size='196608'\/>/);
    assert.deepEqual(fake.commands.map((c) => [c.execute, c.arguments]), [
      ["query-named-block-nodes", { flat: true }],
      ["transaction", {
        actions: [
          {
            type: "block-dirty-bitmap-add",
            data: {
              node: VDA,
              name: "libvirt-tmp-size-xml",
              persistent: false,
              disabled: true,
              granularity: 65536,
            },
          },
          {
            type: "block-dirty-bitmap-merge",
            data: {
              node: VDA,
              target: "libvirt-tmp-size-xml",
              bitmaps: [{ node: VDA, name: "c1" }],
            },
          },
        ],
      }],
      ["query-named-block-nodes", { flat: true }],
      ["transaction", {
        actions: [{
          type: "block-dirty-bitmap-remove",
          data: { node: VDA, name: "libvirt-tmp-size-xml" },
        }],
      }],
    ]);
    assert.deepEqual(bitmaps(t), ["c1"]);
    // A bitmap QEMU no longer records gets no size, as libvirt's chain check skips it.
    t.block.nodes.get(VDA)!.bitmaps![0].recording = false;
    assert.match(
      await t.conn.domainCheckpointGetXMLDesc!(t.dom, "c1", E.DOMAIN_CHECKPOINT_XML_SIZE),
      /<disk name='vda' checkpoint='bitmap' bitmap='c1'\/>/,
    );
  }));

Deno.test("delete: the bitmap goes in a transaction, children move up, CHILDREN takes descendants first", () =>
  withCheckpoints(async (t) => {
    for (const n of ["c1", "c2", "c3"]) {
      await t.conn.domainCheckpointCreateXML!(t.dom, chkXML(n), 0);
    }
    const fake = [...t.launcher.instances.values()].at(-1)!;
    fake.commands.length = 0;
    await t.conn.domainCheckpointDelete!(t.dom, "c2", 0);
    assert.deepEqual(commands(t), [
      ["transaction", {
        actions: [{ type: "block-dirty-bitmap-remove", data: { node: VDA, name: "c2" } }],
      }],
    ]);
    assert.deepEqual(bitmaps(t), ["c1", "c3"]);
    assert.equal(await t.conn.domainCheckpointGetParent!(t.dom, "c3", 0), "c1");
    assert.deepEqual(
      await t.conn.domainListAllCheckpoints!(t.dom, E.DOMAIN_CHECKPOINT_LIST_LEAVES),
      ["c3"],
    );

    await t.conn.domainCheckpointCreateXML!(t.dom, chkXML("c4"), 0);
    fake.commands.length = 0;
    await t.conn.domainCheckpointDelete!(t.dom, "c1", E.DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY);
    assert.deepEqual(
      commands(t).map(([, a]) =>
        (a as { actions: { data: { name: string } }[] }).actions[0].data.name
      ),
      ["c3", "c4"],
    );
    assert.deepEqual(await t.conn.domainListAllCheckpoints!(t.dom, 0), ["c1"]);
    assert.deepEqual(bitmaps(t), ["c1"]);
    // The current checkpoint was among the children: c1 is current again, so c5's parent.
    await t.conn.domainCheckpointCreateXML!(t.dom, chkXML("c5"), 0);
    assert.equal(await t.conn.domainCheckpointGetParent!(t.dom, "c5", 0), "c1");

    // METADATA_ONLY leaves the image's bitmap.
    await t.conn.domainCheckpointDelete!(t.dom, "c5", E.DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY);
    assert.deepEqual(bitmaps(t), ["c1", "c5"]);
    // A bitmap gone from the image is libvirt's internal error, and the checkpoint stays.
    t.block.nodes.get(VDA)!.bitmaps = [];
    const gone = await error(t.conn.domainCheckpointDelete!(t.dom, "c1", 0));
    assert.deepEqual(
      [gone.code, gone.message],
      [E.ERR_INTERNAL_ERROR, "internal error: bitmap 'c1' not found in backing chain of 'vda'"],
    );
    assert.deepEqual(await t.conn.domainListAllCheckpoints!(t.dom, 0), ["c1"]);
  }));

Deno.test("refusals: raw disk, transient disk, foreign bitmap name, QUIESCE, shut-off domain, undefine with checkpoints", async () => {
  await withCheckpoints(async (t) => {
    const raw = await error(t.conn.domainCheckpointCreateXML!(t.dom, chkXML("c1"), 0));
    assert.deepEqual(
      [raw.code, raw.domain, raw.message],
      [
        E.ERR_CONFIG_UNSUPPORTED,
        E.FROM_QEMU,
        "unsupported configuration: checkpoint for disk vda unsupported for storage type raw",
      ],
    );
    assert.deepEqual(commands(t), []);
    assert.deepEqual(await t.conn.domainListAllCheckpoints!(t.dom, 0), []);
  }, XML);
  // qemuDomainDiskBlockJobIsSupported, after the format check (qemu_domain.c). The start
  // makes the transient disk's overlay next to its image.
  const images = await imageDir("ev-transient-img-");
  await withCheckpoints(
    async (t) => {
      const transient = await error(t.conn.domainCheckpointCreateXML!(t.dom, chkXML("c1"), 0));
      assert.deepEqual(
        [transient.code, transient.domain, transient.message],
        [
          E.ERR_OPERATION_UNSUPPORTED,
          E.FROM_QEMU,
          "Operation not supported: block jobs are not supported on transient disk 'vda'",
        ],
      );
      assert.deepEqual(commands(t), []);
      assert.deepEqual(await t.conn.domainListAllCheckpoints!(t.dom, 0), []);
    },
    QCOW2.replace(VDA_IMAGE, `${images}/vda.img`).replace(
      "<target dev='vda' bus='virtio'/>",
      "<target dev='vda' bus='virtio'/><transient/>",
    ),
  );
  await Deno.remove(images, { recursive: true });
  await withCheckpoints(async (t) => {
    const named = await error(t.conn.domainCheckpointCreateXML!(
      t.dom,
      "<domaincheckpoint><name>c1</name><disks><disk name='vda' bitmap='b'/></disks></domaincheckpoint>",
      0,
    ));
    assert.equal(
      named.message,
      "unsupported configuration: bitmap for disk 'vda' must match checkpoint name 'c1'",
    );
    const quiesce = await error(
      t.conn.domainCheckpointCreateXML!(t.dom, chkXML("c1"), E.DOMAIN_CHECKPOINT_CREATE_QUIESCE),
    );
    assert.equal(
      quiesce.message,
      "unsupported flags (0x2) in function qemuCheckpointCreateXML",
    );
    assert.deepEqual(commands(t), []);

    await t.conn.domainCheckpointCreateXML!(t.dom, chkXML("c1"), 0);
    await t.conn.domainCheckpointCreateXML!(t.dom, chkXML("c2"), 0);
    await t.conn.domainDestroyFlags!(t.dom, 0);
    const inactive = await error(t.conn.domainCheckpointCreateXML!(t.dom, chkXML("c3"), 0));
    assert.deepEqual(
      [inactive.code, inactive.message],
      [
        E.ERR_OPERATION_UNSUPPORTED,
        "Operation not supported: cannot create checkpoint for inactive domain",
      ],
    );
    const del = await error(t.conn.domainCheckpointDelete!(t.dom, "c1", 0));
    assert.equal(
      del.message,
      "Operation not supported: cannot delete checkpoint for inactive domain",
    );
    const undef = await error(t.conn.domainUndefineFlags!(t.dom, 0));
    assert.deepEqual(
      [undef.code, undef.message],
      [
        E.ERR_OPERATION_INVALID,
        "Requested operation is not valid: cannot delete inactive domain with 2 checkpoints",
      ],
    );
    // libvirt counts with the undefine flags as list filters: NVRAM is LEAVES, one checkpoint.
    const leaves = await error(t.conn.domainUndefineFlags!(t.dom, E.DOMAIN_UNDEFINE_NVRAM));
    assert.match(leaves.message, /with 1 checkpoints$/);
    await t.conn.domainCheckpointDelete!(t.dom, "c2", E.DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY);
    assert.deepEqual(await t.conn.domainListAllCheckpoints!(t.dom, 0), ["c1"]);
    await t.conn.domainUndefineFlags!(t.dom, E.DOMAIN_UNDEFINE_CHECKPOINTS_METADATA);
    assert.equal(
      await Deno.stat(`${t.dir}/checkpoint/hp.json`).then(() => true, () => false),
      false,
    );
  }, QCOW2);
});

Deno.test("redefine: metadata back from its XML, REDEFINE_VALIDATE checks the bitmap is in the image", () =>
  withCheckpoints(async (t) => {
    await t.conn.domainCheckpointCreateXML!(t.dom, chkXML("c1"), 0);
    const saved = await t.conn.domainCheckpointGetXMLDesc!(
      t.dom,
      "c1",
      E.DOMAIN_CHECKPOINT_XML_SECURE,
    );
    await t.conn.domainCheckpointDelete!(t.dom, "c1", E.DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY);
    const fake = [...t.launcher.instances.values()].at(-1)!;
    fake.commands.length = 0;
    assert.equal(
      await t.conn.domainCheckpointCreateXML!(
        t.dom,
        saved,
        E.DOMAIN_CHECKPOINT_CREATE_REDEFINE | E.DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE,
      ),
      "c1",
    );
    assert.deepEqual(fake.commands.map((c) => c.execute), ["query-named-block-nodes"]);
    assert.equal(
      await t.conn.domainCheckpointGetXMLDesc!(t.dom, "c1", E.DOMAIN_CHECKPOINT_XML_SECURE),
      saved,
    );
    // The next checkpoint's parent is the redefined one (it became current, having none).
    await t.conn.domainCheckpointCreateXML!(t.dom, chkXML("c2"), 0);
    assert.equal(await t.conn.domainCheckpointGetParent!(t.dom, "c2", 0), "c1");

    t.block.nodes.get(VDA)!.bitmaps = t.block.nodes.get(VDA)!.bitmaps!.filter((b) =>
      b.name !== "c1"
    );
    const broken = await error(t.conn.domainCheckpointCreateXML!(
      t.dom,
      saved,
      E.DOMAIN_CHECKPOINT_CREATE_REDEFINE | E.DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE,
    ));
    assert.deepEqual(
      [broken.code, broken.message],
      [
        E.ERR_CHECKPOINT_INCONSISTENT,
        "checkpoint inconsistent: missing or broken bitmap 'c1' for disk 'vda'",
      ],
    );
    const other = await error(t.conn.domainCheckpointCreateXML!(
      t.dom,
      saved.replace(/<uuid>[^<]*<\/uuid>/, "<uuid>11111111-2222-3333-4444-555555555555</uuid>"),
      E.DOMAIN_CHECKPOINT_CREATE_REDEFINE,
    ));
    assert.equal(
      other.message,
      "invalid argument: definition for checkpoint c1 must use uuid 44444444-2222-3333-4444-555555555555",
    );
    // Redefining without the domain works on a shut-off domain too.
    await t.conn.domainDestroyFlags!(t.dom, 0);
    await t.conn.domainCheckpointCreateXML!(
      t.dom,
      "<domaincheckpoint><name>c9</name><parent><name>c2</name></parent><creationTime>5</creationTime></domaincheckpoint>",
      E.DOMAIN_CHECKPOINT_CREATE_REDEFINE,
    );
    assert.equal(await t.conn.domainCheckpointGetParent!(t.dom, "c9", 0), "c2");
  }));
