// Real QEMU 7.2 (TCG) on qemu:///session: a domain whose memory is a shared file
// (<source type='file'/><access mode='shared'/>) runs on a file QEMU made in the domain's
// memory folder (<state>/ram/ID-NAME/pc.ram, as libvirt's memory_backing_dir/shortname/alias),
// mapped shared in QEMU's address space, and the folder is gone once the domain is destroyed.
// Without QEMU it is ignored on a developer machine but FAILS in CI.
import assert from "node:assert/strict";
import { realQemuTest, withRealDriver } from "./real_qemu.ts";

realQemuTest({
  name: "real QEMU: file-backed shared memory lives in the domain's memory folder while it runs",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withRealDriver("ev-qemu-membk-", async ({ dir, conn, launcher }) => {
      const xml = `<domain type='qemu'><name>membk</name><memory unit='MiB'>32</memory>
<memoryBacking><source type='file'/><access mode='shared'/></memoryBacking>
<os><type arch='x86_64' machine='pc'>hvm</type></os>
<devices><memballoon model='none'/></devices></domain>`;
      const dom = await conn.domainCreateXML!(xml, 0);
      const folder = `${dir}/ram/${dom.id}-membk`;
      const file = `${folder}/pc.ram`;
      assert.equal((await Deno.stat(file)).size, 32 * 1024 * 1024);
      assert.equal((await Deno.stat(folder)).mode! & 0o777, 0o700);
      const proc = launcher.procs[0];
      const [memdev] = await proc.monitor.run<{ id: string; share: boolean; size: number }[]>(
        "query-memdev",
      );
      assert.deepEqual([memdev.id, memdev.share, memdev.size], ["pc.ram", true, 32 << 20]);
      // The guest's RAM is that file, mapped shared ("s" in the permissions).
      const maps = await Deno.readTextFile(`/proc/${proc.pid}/maps`);
      assert.ok(
        maps.split("\n").some((l) => l.endsWith(file) && l.split(" ")[1][3] === "s"),
        `QEMU maps ${file} shared`,
      );
      await conn.domainDestroyFlags!(dom, 0);
      await assert.rejects(Deno.stat(folder), Deno.errors.NotFound);
      assert.deepEqual([...Deno.readDirSync(`${dir}/ram`)], []);
    }),
});
