/**
 * The session driver refuses at start the cgroup tunings it cannot apply, as libvirt 9.0's
 * `qemuBuildCommandLineValidate` does: `fixtures/session_tuning.json` started on the oracle's
 * session daemon by `fixtures/record_session_tuning.sh` gave
 * `fixtures/session_tuning.expected.json`; the same starts replay here on a fake QEMU, and a
 * refused start leaves no QEMU behind.
 */
import assert from "node:assert/strict";
import { FakeLauncher } from "../../../drivers/qemu/testing/mod.ts";
import { VIR } from "../../../util/constants.ts";
import { VirError } from "../../../util/errors.ts";
import { withQemuConn } from "./with_conn.ts";

const fixtures = new URL("./fixtures/", import.meta.url);
const spec: { domain: string; tunings: string[] } = JSON.parse(
  await Deno.readTextFile(new URL("session_tuning.json", fixtures)),
);
const expected = JSON.parse(
  await Deno.readTextFile(new URL("session_tuning.expected.json", fixtures)),
);

Deno.test("qemu:///session refuses cgroup tunings at start as libvirt 9.0's session driver", async () => {
  const launcher = new FakeLauncher();
  await withQemuConn({ launcher }, async (conn) => {
    const outcomes = [];
    for (const tuning of spec.tunings) {
      const dom = await conn.domainDefineXMLFlags!(spec.domain.replace("TUNING", tuning), 0);
      try {
        await conn.domainCreateWithFlags!(dom, VIR.DOMAIN_START_PAUSED);
        outcomes.push({ tuning, started: true });
        await conn.domainDestroyFlags!(dom, 0);
      } catch (e) {
        if (!(e instanceof VirError)) throw e;
        outcomes.push({ tuning, code: e.code, domain: e.domain, message: e.message });
      }
      await conn.domainUndefineFlags!(dom, 0);
    }
    assert.deepEqual(outcomes, expected);
    // Only the start libvirt runs launched a QEMU.
    assert.equal(launcher.launches.length, 1);
  });
});
