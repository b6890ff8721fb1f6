// virDomainCoreDumpWithFormat on real QEMU 7.2 (TCG) with the echo guest: a memory-only dump is
// an ELF core readelf recognises, kdump-zlib QEMU's compressed kdump, a full dump QEMU's
// migration stream; Debian's QEMU has no LZO, so libvirt's error for it; the guest runs on.
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import { realQemuTest, withRealDriver } from "./real_qemu.ts";
import { echoGuestDisk } from "./echo_guest.ts";

const E = VIR;

async function readelfHeader(path: string): Promise<string> {
  const out = await new Deno.Command("readelf", { args: ["-h", path] }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout);
}

realQemuTest({
  name:
    "real QEMU: dump --memory-only writes an ELF core, kdump-zlib a flattened kdump, a full dump QEMU's stream",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withRealDriver("ev-qemu-dump-", async ({ dir, conn }) => {
      const disk = `${dir}/boot.img`;
      await Deno.writeFile(disk, echoGuestDisk());
      const xml = `<domain type='qemu'><name>dump</name><memory unit='MiB'>32</memory>
<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os><devices>
<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${disk}'/>
<target dev='hda' bus='ide'/></disk><memballoon model='none'/></devices></domain>`;
      const dom = await conn.domainCreateXML!(xml, 0);

      const elf = `${dir}/mem.core`;
      await conn.domainCoreDumpWithFormat!(
        dom,
        elf,
        E.DOMAIN_CORE_DUMP_FORMAT_RAW,
        E.DUMP_MEMORY_ONLY,
      );
      const header = await readelfHeader(elf);
      assert.match(header, /Type:\s+CORE \(Core file\)/);
      // The echo guest never leaves real mode, so QEMU describes an i386 machine.
      assert.match(header, /Machine:\s+Intel 80386/);
      // The guest's 32 MiB are in it.
      assert.ok((await Deno.stat(elf)).size > 32 * 1024 * 1024);

      const kdump = `${dir}/mem.kdump`;
      await conn.domainCoreDumpWithFormat!(
        dom,
        kdump,
        E.DOMAIN_CORE_DUMP_FORMAT_KDUMP_ZLIB,
        E.DUMP_MEMORY_ONLY | E.DUMP_LIVE,
      );
      const head = await Deno.open(kdump).then(async (f) => {
        const b = new Uint8Array(12);
        await f.read(b);
        f.close();
        return new TextDecoder().decode(b);
      });
      // QEMU 7.2 writes kdumps in makedumpfile's flattened format.
      assert.equal(head, "makedumpfile");

      const lzo = `${dir}/mem.lzo`;
      const e = await conn.domainCoreDumpWithFormat!(
        dom,
        lzo,
        E.DOMAIN_CORE_DUMP_FORMAT_KDUMP_LZO,
        E.DUMP_MEMORY_ONLY,
      ).then(() => null, (e) => e);
      assert.deepEqual([e?.code, e?.message], [
        E.ERR_INVALID_ARG,
        "invalid argument: unsupported dumpformat 'kdump-lzo' for this QEMU binary",
      ]);
      assert.equal(await Deno.stat(lzo).then(() => true, () => false), false);

      const full = `${dir}/full.core`;
      await conn.domainCoreDumpWithFormat!(dom, full, E.DOMAIN_CORE_DUMP_FORMAT_RAW, 0);
      const magic = new Uint8Array(4);
      const f = await Deno.open(full);
      await f.read(magic);
      f.close();
      assert.equal(new TextDecoder().decode(magic), "QEVM");

      assert.deepEqual(await conn.domainGetState!(dom, 0), [
        E.DOMAIN_RUNNING,
        E.DOMAIN_RUNNING_UNPAUSED,
      ]);
      await conn.domainDestroyFlags!(dom, 0);
    });
  },
});
