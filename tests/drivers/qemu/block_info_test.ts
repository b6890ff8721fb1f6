// domblkinfo of the QEMU driver (libvirt 9.0's qemuDomainGetBlockInfo): an inactive domain's
// numbers from its image file (a qcow2's virtual size from its header, allocation from the
// blocks on disk), a running one's from QEMU's query-blockstats / query-block, with the
// sparse-file rule, and libvirt's errors.
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import { error, setup, VDA, XML } from "./fake_qmp/block_harness.ts";

const E = VIR;

/** A qcow2 header saying `size` bytes (magic, version 3, virtual size at offset 24). */
function qcow2Header(size: bigint): Uint8Array {
  const head = new Uint8Array(512);
  const v = new DataView(head.buffer);
  head.set([0x51, 0x46, 0x49, 0xfb]);
  v.setUint32(4, 3);
  v.setBigUint64(24, size);
  return head;
}

Deno.test("domblkinfo: inactive from the file, running from QEMU; libvirt's errors", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ev-blkinfo-" });
  const image = `${dir}/vda.img`;
  await Deno.writeFile(image, new Uint8Array(8192).fill(1));
  const t = await setup({ xml: XML.replace(VDA, image) });
  try {
    // Running: QEMU's virtual size, highest written offset and actual size.
    const node = t.block.nodes.get(t.block.disks.get("virtio-disk0")!.node!)!;
    Object.assign(node, { size: 1 << 20, actual: 8192, highest: 4096 });
    assert.deepEqual(await t.conn.domainGetBlockInfo!(t.dom, "vda", 0), {
      capacity: 1 << 20,
      allocation: 4096,
      physical: 8192,
    });
    // Nothing written yet: allocation is the actual size, physical the file's size.
    Object.assign(node, { actual: 12288, highest: 0 });
    assert.deepEqual(await t.conn.domainGetBlockInfo!(t.dom, image, 0), {
      capacity: 1 << 20,
      allocation: 12288,
      physical: 8192,
    });
    const empty = await error(t.conn.domainGetBlockInfo!(t.dom, "hdc", 0));
    assert.deepEqual([empty.code, empty.message], [
      E.ERR_INVALID_ARG,
      "invalid argument: disk 'hdc' does not currently have a source assigned",
    ]);
    const none = await error(t.conn.domainGetBlockInfo!(t.dom, "vdz", 0));
    assert.equal(none.message, "invalid argument: invalid path vdz not assigned to domain");

    await t.conn.domainDestroyFlags!(t.dom, 0);
    const st = await Deno.stat(image);
    assert.deepEqual(await t.conn.domainGetBlockInfo!(t.dom, "vda", 0), {
      capacity: 8192,
      allocation: (st.blocks ?? 0) * 512,
      physical: 8192,
    });
    // A raw disk is never probed: a qcow2 header in it changes nothing.
    await Deno.writeFile(image, qcow2Header(10n << 30n));
    assert.equal((await t.conn.domainGetBlockInfo!(t.dom, "vda", 0)).capacity, 512);
    await Deno.remove(image);
    const gone = await error(t.conn.domainGetBlockInfo!(t.dom, "vda", 0));
    assert.equal(gone.code, E.ERR_SYSTEM_ERROR);
    assert.match(gone.message, /^Failed to open file '.*vda\.img': No such file or directory$/);
  } finally {
    await t.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("domblkinfo of an inactive qcow2 disk: the virtual size from its header", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ev-blkinfo-" });
  const image = `${dir}/vda.qcow2`;
  await Deno.writeFile(image, qcow2Header(10n << 30n));
  const t = await setup({
    xml: XML.replace(VDA, image).replace("type='raw'", "type='qcow2'"),
  });
  try {
    await t.conn.domainDestroyFlags!(t.dom, 0);
    const info = await t.conn.domainGetBlockInfo!(t.dom, "vda", 0);
    assert.deepEqual([info.capacity, info.physical], [10 * 2 ** 30, 512]);
  } finally {
    await t.close();
    await Deno.remove(dir, { recursive: true });
  }
});
