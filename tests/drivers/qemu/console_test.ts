// virDomainOpenConsole on real QEMU 7.2 (TCG): the guest is a 39-byte boot sector that prints
// '>' on COM1 and then echoes every byte it receives there, so what goes into the console
// stream comes back out of it through the guest. Also libvirt's refusals: a second session
// without FORCE, an unknown device, a domain that is not running. Without QEMU this test is
// ignored on a developer machine but FAILS in CI.
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import type { VirError } from "../../../util/errors.ts";
import { realQemuTest, withRealDriver } from "./real_qemu.ts";
import { echoGuestDisk, reachEchoLoop, readUntil } from "./echo_guest.ts";

realQemuTest({
  name: "real QEMU: the serial console as a two-way stream through an echoing guest",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    // withRealDriver kills what a failure leaves running: QEMU outlives the connection.
    await withRealDriver("ev-qemu-con-", async ({ dir, conn }) => {
      const disk = `${dir}/boot.img`;
      await Deno.writeFile(disk, echoGuestDisk());
      const xml = (name: string) =>
        `<domain type='qemu'><name>${name}</name><memory unit='MiB'>32</memory>
<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os><devices>
<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${disk}'/>
<target dev='hda' bus='ide'/></disk>
<serial type='pty'/><console type='pty'/><memballoon model='none'/></devices></domain>`;
      const dom = await conn.domainCreateXML!(xml("con"), 0);
      const stream = await conn.domainOpenConsole!(dom, null, 0);
      const reader = stream.readable!.getReader();
      const writer = stream.writable!.getWriter();
      await reachEchoLoop(async () => {
        const { done, value } = await reader.read();
        return done ? null : value as Uint8Array;
      }, (bytes) => writer.write(bytes));
      await writer.write(new TextEncoder().encode("hello"));
      assert.match(await readUntil(reader, "hello"), /hello/);

      await assert.rejects(conn.domainOpenConsole!(dom, null, 0), (e: VirError) => {
        assert.deepEqual([e.code, e.message], [
          VIR.ERR_OPERATION_FAILED,
          "operation failed: Active console session exists for this domain",
        ]);
        return true;
      });
      // FORCE takes the console over: the old session ends, the new one echoes.
      const forced = await conn.domainOpenConsole!(dom, "serial0", VIR.DOMAIN_CONSOLE_FORCE);
      assert.equal((await reader.read()).done, true);
      const r2 = forced.readable!.getReader();
      const w2 = forced.writable!.getWriter();
      await w2.write(new TextEncoder().encode("again"));
      await readUntil(r2, "again");

      // A session that ends while its read waits for the guest (as every console client's
      // does) leaves nothing reading behind it: what the guest says before the next session
      // (here the echo of bytes written straight to the pty) reaches that session whole.
      const waiting = r2.read();
      await w2.close();
      assert.equal((await waiting).done, true);
      const pty = /<source path='(\/dev\/pts\/\d+)'/.exec(await conn.domainGetXMLDesc!(dom, 0))![1];
      const direct = await Deno.open(pty, { write: true });
      await direct.write(new TextEncoder().encode("between"));
      direct.close();
      const next = await conn.domainOpenConsole!(dom, null, 0);
      const r3 = next.readable!.getReader();
      assert.match(await readUntil(r3, "between"), /^between$/);
      await r3.cancel();
      // Sessions whose output is read all along (as the gateway sends it on), ended by their
      // input side: each next one gets its echo whole.
      for (const word of ["one", "two", "three"]) {
        const s = await conn.domainOpenConsole!(dom, null, 0);
        const w = s.writable!.getWriter();
        const r = s.readable!.getReader();
        await w.write(new TextEncoder().encode(word));
        assert.equal(await readUntil(r, word), word);
        r.releaseLock();
        const drained = s.readable!.pipeTo(new WritableStream());
        await w.close();
        await drained;
      }

      await assert.rejects(
        conn.domainOpenConsole!(dom, "parallel7", 0),
        (e: VirError) =>
          e.code === VIR.ERR_INTERNAL_ERROR &&
          e.message === "internal error: cannot find character device parallel7",
      );
      await conn.domainDestroyFlags!(dom, 0);
      await assert.rejects(
        conn.domainOpenConsole!(dom, null, 0),
        (e: VirError) => e.code === VIR.ERR_NO_DOMAIN || e.code === VIR.ERR_OPERATION_INVALID,
      );
    });
  },
});

realQemuTest({
  name: "real QEMU: a screenshot is QEMU's PNG of the screen, as libvirt's screendump",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await withRealDriver("ev-qemu-shot-", async ({ conn }) => {
      const dom = await conn.domainCreateXML!(
        `<domain type='qemu'><name>shot</name><memory unit='MiB'>32</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>
<graphics type='vnc' autoport='yes'/><video><model type='vga'/></video>
<memballoon model='none'/></devices></domain>`,
        0,
      );
      const shot = await conn.domainScreenshot!(dom, 0, 0);
      assert.equal(shot.mime, "image/png");
      const png = new Uint8Array(
        await new Response(shot.readable as ReadableStream<Uint8Array>).arrayBuffer(),
      );
      assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      await assert.rejects(
        conn.domainScreenshot!(dom, 1, 0),
        (e: VirError) =>
          e.code === VIR.ERR_OPERATION_INVALID && e.message ===
            "Requested operation is not valid: no such screen ID",
      );
      const plain = await conn.domainCreateXML!(
        `<domain type='qemu'><name>noscreen</name><memory unit='MiB'>32</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><devices><memballoon model='none'/>
</devices></domain>`,
        0,
      );
      await assert.rejects(
        conn.domainScreenshot!(plain, 0, 0),
        (e: VirError) =>
          e.message === "Requested operation is not valid: no screens to take screenshot from",
      );
      await conn.domainDestroyFlags!(dom, 0);
      await conn.domainDestroyFlags!(plain, 0);
    });
  },
});
