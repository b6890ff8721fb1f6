// Block and memory peek and rename of the QEMU driver against a fake QEMU, as libvirt 9.0's
// qemuDomainBlockPeek (raw disks, the file itself), qemuDomainMemoryPeek (QMP memsave /
// pmemsave into a private file) and qemuDomainRename (files, events, refusals) do them.
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import type { DomainRef } from "../../../util/driver.ts";
import { error, qmp, setup, VDA, XML } from "./fake_qmp/block_harness.ts";

const E = VIR;

Deno.test("block peek reads a raw disk's file; memory peek is memsave/pmemsave", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ev-peek-" });
  const image = `${dir}/vda.img`;
  await Deno.writeFile(image, Uint8Array.from({ length: 4096 }, (_, i) => i % 251));
  const t = await setup({ xml: XML.replace(VDA, image) });
  try {
    assert.deepEqual(await t.conn.domainBlockPeek!(t.dom, "vda", 1000, 4, 0), [247, 248, 249, 250]);
    assert.deepEqual(await t.conn.domainBlockPeek!(t.dom, image, 0, 2, 0), [0, 1]);
    const short = await error(t.conn.domainBlockPeek!(t.dom, "vda", 4094, 4, 0));
    assert.deepEqual([short.code, short.message], [
      E.ERR_INVALID_ARG,
      "invalid argument: 'vda' starting from 4094 has only 2 bytes available",
    ]);
    const none = await error(t.conn.domainBlockPeek!(t.dom, "vdz", 0, 1, 0));
    assert.equal(none.message, "invalid argument: disk 'vdz' not found in domain");

    assert.deepEqual(await t.conn.domainMemoryPeek!(t.dom, 0x1234, 3, E.MEMORY_PHYSICAL), [
      0x34,
      0x35,
      0x36,
    ]);
    assert.deepEqual(await t.conn.domainMemoryPeek!(t.dom, 0x10, 1, E.MEMORY_VIRTUAL), [0x10]);
    const [phys, virt] = qmp(t);
    assert.deepEqual(
      [phys.execute, phys.arguments?.val, phys.arguments?.size],
      ["pmemsave", 0x1234, 3],
    );
    assert.equal(virt.execute, "memsave");
    // The private file is gone.
    assert.equal(await Deno.stat(String(phys.arguments?.filename)).catch(() => null), null);
    const both = await error(t.conn.domainMemoryPeek!(t.dom, 0, 1, 0));
    assert.deepEqual([both.code, both.message], [
      E.ERR_INVALID_ARG,
      "invalid argument: flags parameter must be VIR_MEMORY_VIRTUAL or VIR_MEMORY_PHYSICAL",
    ]);
    await t.conn.domainDestroyFlags!(t.dom, 0);
    const off = await error(t.conn.domainMemoryPeek!(t.dom, 0, 1, E.MEMORY_PHYSICAL));
    assert.equal(off.message, "Requested operation is not valid: domain is not running");
  } finally {
    await t.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a qcow2 disk cannot be peeked, as libvirt", async () => {
  const t = await setup({ xml: XML.replace("type='raw'", "type='qcow2'") });
  try {
    const e = await error(t.conn.domainBlockPeek!(t.dom, "vda", 0, 1, 0));
    assert.deepEqual([e.code, e.message], [
      E.ERR_OPERATION_UNSUPPORTED,
      "Operation not supported: peeking is only supported for disk with 'raw' format not 'qcow2'",
    ]);
  } finally {
    await t.close();
  }
});

Deno.test("rename: a shut-off domain's files and autostart follow it, RENAMED events; refusals", async () => {
  const t = await setup();
  try {
    const active = await error(t.conn.domainRename!(t.dom, "hp2", 0));
    assert.deepEqual([active.code, active.message], [
      E.ERR_OPERATION_INVALID,
      "Requested operation is not valid: cannot rename active domain",
    ]);
    await t.conn.domainDestroyFlags!(t.dom, 0);
    await t.conn.domainSetAutostart!(t.dom, true);
    t.events.length = 0;
    const slash = await error(t.conn.domainRename!(t.dom, "a/b", 0));
    assert.deepEqual([slash.code, slash.message], [
      E.ERR_XML_ERROR,
      "XML error: name a/b cannot contain '/'",
    ]);
    const self = await error(t.conn.domainRename!(t.dom, "hp", 0));
    assert.equal(self.message, "Requested operation is not valid: Can't rename domain to itself");
    const renamed = await t.conn.domainRename!(t.dom, "hp2", 0);
    assert.equal(renamed.name, "hp2");
    assert.deepEqual(
      t.events.map((e) => [(e.ref as DomainRef).name, e.data.event, e.data.detail]),
      [
        ["hp", E.DOMAIN_EVENT_UNDEFINED, E.DOMAIN_EVENT_UNDEFINED_RENAMED],
        ["hp2", E.DOMAIN_EVENT_DEFINED, E.DOMAIN_EVENT_DEFINED_RENAMED],
      ],
    );
    assert.match(Deno.readTextFileSync(`${t.dir}/config/hp2.xml`), /<name>hp2<\/name>/);
    assert.equal(await Deno.stat(`${t.dir}/config/hp.xml`).catch(() => null), null);
    assert.ok(await Deno.stat(`${t.dir}/config/autostart/hp2`));
    assert.equal(await Deno.stat(`${t.dir}/config/autostart/hp`).catch(() => null), null);
    assert.equal((await t.conn.domainLookupByName!("hp2")).uuid, t.dom.uuid);
    const old = await error(t.conn.domainLookupByName!("hp"));
    assert.equal(old.code, E.ERR_NO_DOMAIN);

    await t.conn.domainCreateWithFlags!(renamed, 0);
    await t.conn.domainManagedSave!(renamed, 0);
    const saved = await error(t.conn.domainRename!(renamed, "hp3", 0));
    assert.equal(
      saved.message,
      "Requested operation is not valid: domain with a managed saved state can't be renamed",
    );
  } finally {
    await t.close();
  }
});

Deno.test("disk errors: the disks QEMU's io-status reports, by target; none when all are fine", async () => {
  const t = await setup();
  try {
    assert.deepEqual(await t.conn.domainGetDiskErrors!(t.dom, 0), {});
    t.block.disks.get("virtio-disk0")!.ioStatus = "nospace";
    t.block.disks.get("ide0-1-0")!.ioStatus = "ok";
    assert.deepEqual(await t.conn.domainGetDiskErrors!(t.dom, 0), {
      vda: E.DOMAIN_DISK_ERROR_NO_SPACE,
    });
    t.block.disks.get("virtio-disk0")!.ioStatus = "failed";
    assert.deepEqual(await t.conn.domainGetDiskErrors!(t.dom, 0), {
      vda: E.DOMAIN_DISK_ERROR_UNSPEC,
    });
    await t.conn.domainDestroyFlags!(t.dom, 0);
    const off = await error(t.conn.domainGetDiskErrors!(t.dom, 0));
    assert.equal(off.message, "Requested operation is not valid: domain is not running");
  } finally {
    await t.close();
  }
});
