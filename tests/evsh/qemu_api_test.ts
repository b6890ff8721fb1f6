/**
 * evsh's detach-device-alias, get-user-sshkeys, set-user-sshkeys and domdirtyrate-calc on
 * edgevirt's QEMU driver with real QEMU (TCG) against virsh 9.0's output on libvirt's QEMU
 * driver for the same domain (tests/tools/record_virsh_qemu_api.sh): each command line's
 * stdout, stderr and exit status, byte for byte. Without QEMU this test is ignored on a
 * developer machine but FAILS in CI.
 */
import assert from "node:assert/strict";
import { connect } from "../../host.ts";
import { VIR } from "../../util/constants.ts";
import { realQemuTest } from "../drivers/qemu/real_qemu.ts";
import { shellOn } from "./fake_qemu_shell.ts";

const HERE = new URL("./", import.meta.url);

realQemuTest({
  name: "real QEMU: evsh detach-device-alias, *-user-sshkeys, domdirtyrate-calc as virsh",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "evsh-qemu-api-" });
    const conn = await connect(`qemu:///embed?root=${dir}`);
    try {
      await Deno.writeFile(`${dir}/data.img`, new Uint8Array(1024 * 1024));
      const xml = (await Deno.readTextFile(new URL("fixtures/qemu-api.xml", HERE)))
        .replace("@DIR@", dir);
      const dom = await conn.defineXML(xml);
      await dom.create();
      const run = shellOn(conn);
      const measuring = async () => {
        for (;;) {
          const [rec] = await conn.call("connectGetAllDomainStats", VIR.DOMAIN_STATS_DIRTYRATE, 0);
          if (rec.params["dirtyrate.calc_status"] === VIR.DOMAIN_DIRTYRATE_MEASURING) return;
          await new Promise((r) => setTimeout(r, 10));
        }
      };
      const cases: { cmd: string; stdout: string; stderr: string; status: number }[] = JSON
        .parse(await Deno.readTextFile(new URL("golden_qemu/api.json", HERE)));
      for (const want of cases) {
        // QEMU's measuring thread flags itself a moment after calc-dirty-rate returns; virsh's
        // process start gave it that moment before the next request.
        if (want.cmd === "domdirtyrate-calc qa") await measuring();
        const [stdout, stderr, ok] = await run(want.cmd);
        assert.deepEqual({ cmd: want.cmd, stdout, stderr, status: ok ? 0 : 1 }, want);
      }
      // As libvirt: the persistent disk is gone, the live one waits for a guest that never acks.
      assert.doesNotMatch(await dom.getXMLDesc(2), /ua-data/);
      assert.match(await dom.getXMLDesc(0), /ua-data/);
      await dom.destroy();
    } finally {
      await conn.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
