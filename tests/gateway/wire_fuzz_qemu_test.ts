/**
 * The wire fuzzer's slice against `qemu:///session` (issue 14): the same seeded hostile inputs
 * as `wire_fuzz_test.ts`, sent to an in-process gateway serving the QEMU driver, whose QEMUs
 * are the fake QMP peers of `drivers/qemu/testing` (the driver, its state files and its
 * monitor traffic are real; no process is started; `wire_fuzz_qemu.ts`). Besides what the
 * wire shows, the forbidden-change check compares every file of the driver's state directory
 * (definitions, autostart links, status files). EDGEVIRT_FUZZ_N and EDGEVIRT_FUZZ_SEED change
 * the slice; `tests/bench/wire_fuzz.ts --uri qemu:///session` is the long run.
 */
import assert from "node:assert/strict";
import { FakeLauncher } from "../../drivers/qemu/testing/mod.ts";
import { assertNoFindings, fuzzSlice } from "./wire_fuzz_run.ts";
import { qemuFuzzTarget } from "./wire_fuzz_qemu.ts";

Deno.test({
  name:
    "wire fuzz on qemu:///session (fake QMP): 1000 seeded inputs, no 500, hang, crash or forbidden change",
  // Streams a fuzzed download leaves half-read are the gateway's to time out, after the test.
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const n = Number(Deno.env.get("EDGEVIRT_FUZZ_N") ?? 1000);
    const seed = Number(Deno.env.get("EDGEVIRT_FUZZ_SEED") ?? 14);
    const target = await qemuFuzzTarget(new FakeLauncher());
    try {
      const { tally, crashes } = await fuzzSlice({
        gateway: target.gateway,
        uri: "qemu:///session",
        n,
        seed,
        hostState: target.hostState,
      });
      console.log(
        `wire fuzz qemu:///session (seed ${seed}): ${tally.inputs} inputs ` +
          `${JSON.stringify(tally.byVia)}, answers ${JSON.stringify(tally.byStatus)}`,
      );
      assert.equal(tally.inputs, n);
      assertNoFindings(tally, crashes);
    } finally {
      await target.close();
    }
  },
});
