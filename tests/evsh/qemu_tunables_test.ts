/**
 * evsh's migration tuning commands on edgevirt's QEMU driver with real QEMU (TCG) against virsh
 * 9.0's output on libvirt's QEMU driver (tests/tools/record_virsh_qemu_tunables.sh): each
 * command line's stdout, stderr and exit status, byte for byte. Without QEMU this test is
 * ignored on a developer machine but FAILS in CI.
 */
import assert from "node:assert/strict";
import { connect } from "../../host.ts";
import { realQemuTest } from "../drivers/qemu/real_qemu.ts";
import { shellOn } from "./fake_qemu_shell.ts";

const HERE = new URL("./", import.meta.url);

realQemuTest({
  name: "real QEMU: evsh migrate-setspeed/getspeed/setmaxdowntime/compcache/postcopy as virsh",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "evsh-tunables-" });
    const conn = await connect(`qemu:///embed?root=${dir}`);
    try {
      const xml = await Deno.readTextFile(new URL("fixtures/qemu-q4.xml", HERE));
      const dom = await conn.defineXML(xml);
      await dom.create();
      const run = shellOn(conn);
      const cases: { cmd: string; stdout: string; stderr: string; status: number }[] = JSON
        .parse(await Deno.readTextFile(new URL("golden_qemu/tunables.json", HERE)));
      for (const want of cases) {
        const [stdout, stderr, ok] = await run(want.cmd);
        assert.deepEqual({ cmd: want.cmd, stdout, stderr, status: ok ? 0 : 1 }, want);
      }
      await dom.destroy();
    } finally {
      await conn.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
