/**
 * A seeded slice of the wire fuzzer (issue 14; the full run is `tests/bench/wire_fuzz.ts`):
 * 2000 hostile HTTP calls, session calls, REST and stream requests in-process through the
 * gateway's own fetch, and RPC WebSocket frames through a loopback server, from every kind of
 * caller. None may get a 500, hang, crash the gateway (an unhandled rejection), or change what
 * its caller may not change. EDGEVIRT_FUZZ_N and EDGEVIRT_FUZZ_SEED change the slice.
 */
import assert from "node:assert/strict";
import { FuzzRunner } from "./wire_fuzz_run.ts";
import { fuzzInputs, type Role } from "./wire_fuzz_inputs.ts";
import { serveGateway, startGateway, TOKENS } from "./helpers.ts";

const TOKENS_BY_ROLE: Record<Role, string> = {
  none: "",
  bad: "not-a-token",
  readOnly: TOKENS.readOnly,
  restricted: TOKENS.restricted,
  full: TOKENS.full,
};

Deno.test({
  name:
    "wire fuzz: 2000 seeded hostile inputs, every role: no 500, hang, crash or forbidden change",
  // Streams a fuzzed download leaves half-read are the gateway's to time out, after the test.
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const n = Number(Deno.env.get("EDGEVIRT_FUZZ_N") ?? 2000);
    const seed = Number(Deno.env.get("EDGEVIRT_FUZZ_SEED") ?? 14);
    const crashes: string[] = [];
    const onRejection = (e: PromiseRejectionEvent) => {
      e.preventDefault();
      crashes.push(String(e.reason?.stack ?? e.reason));
    };
    globalThis.addEventListener("unhandledrejection", onRejection);
    const gw = await startGateway();
    const server = serveGateway(gw);
    try {
      const runner = new FuzzRunner({
        fetch: gw.fetch,
        wsPort: server.port,
        tokens: TOKENS_BY_ROLE,
      });
      await runner.openSessions();
      const refs = await runner.knownRefs();
      const tally = await runner.runAll(
        fuzzInputs({ seed, n, tokens: TOKENS_BY_ROLE, refs, ws: true }),
      );
      console.log(
        `wire fuzz (seed ${seed}): ${tally.inputs} inputs ${JSON.stringify(tally.byVia)}, ` +
          `answers ${JSON.stringify(tally.byStatus)}`,
      );
      assert.equal(tally.inputs, n);
      assert.deepEqual(crashes, [], "unhandled rejections");
      assert.deepEqual(tally.serverErrors, [], "500 answers");
      assert.deepEqual(tally.hangs, [], "answers slower than 5 s");
      assert.deepEqual(tally.forbiddenChanges, [], "changes by callers who may not");
    } finally {
      globalThis.removeEventListener("unhandledrejection", onRejection);
      await server.close();
      await gw.close();
    }
  },
});
