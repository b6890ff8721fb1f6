/**
 * A seeded slice of the wire fuzzer against `test:///default` (issue 14; the full run is
 * `tests/bench/wire_fuzz.ts`, the QEMU driver's slice `wire_fuzz_qemu_test.ts`): 2000 hostile
 * HTTP calls, session calls, REST and stream requests in-process through the gateway's own
 * fetch, and RPC WebSocket frames through a loopback server, from every kind of caller; then a
 * slice of the HTTP inputs over loopback TCP, through the guarded listener's own call path and
 * its relay. None
 * may get a 500, hang, crash the gateway (an unhandled rejection), drop an RPC socket without
 * its close frame, or change what its caller may not change. EDGEVIRT_FUZZ_N and
 * EDGEVIRT_FUZZ_SEED change the slice.
 */
import assert from "node:assert/strict";
import { assertNoFindings, fuzzSlice } from "./wire_fuzz_run.ts";
import { startGateway } from "./helpers.ts";

Deno.test({
  name:
    "wire fuzz: 2000 seeded hostile inputs, every role: no 500, hang, crash or forbidden change",
  // Streams a fuzzed download leaves half-read are the gateway's to time out, after the test.
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const n = Number(Deno.env.get("EDGEVIRT_FUZZ_N") ?? 2000);
    const seed = Number(Deno.env.get("EDGEVIRT_FUZZ_SEED") ?? 14);
    const gateway = await startGateway();
    try {
      const { tally, crashes } = await fuzzSlice({ gateway, uri: "test:///default", n, seed });
      console.log(
        `wire fuzz (seed ${seed}): ${tally.inputs} inputs ${JSON.stringify(tally.byVia)}, ` +
          `answers ${JSON.stringify(tally.byStatus)}`,
      );
      assert.equal(tally.inputs, n);
      assertNoFindings(tally, crashes);
    } finally {
      await gateway.close();
    }
  },
});

Deno.test({
  name: "wire fuzz over TCP: 600 seeded inputs through the guarded listener, the same rules",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const n = Number(Deno.env.get("EDGEVIRT_FUZZ_TCP_N") ?? 600);
    const seed = Number(Deno.env.get("EDGEVIRT_FUZZ_SEED") ?? 14) + 1;
    const gateway = await startGateway();
    try {
      const { tally, crashes } = await fuzzSlice({
        gateway,
        uri: "test:///default",
        n,
        seed,
        overTcp: true,
      });
      console.log(
        `wire fuzz over TCP (seed ${seed}): ${tally.inputs} inputs ${
          JSON.stringify(tally.byVia)
        }, ` +
          `answers ${JSON.stringify(tally.byStatus)}`,
      );
      assert.equal(tally.inputs, n);
      assertNoFindings(tally, crashes);
    } finally {
      await gateway.close();
    }
  },
});
