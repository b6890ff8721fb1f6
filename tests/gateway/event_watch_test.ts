/**
 * The event side of the forbidden-change check (`event_watch.ts`): an event a call emits is seen
 * on every channel — RPC WebSocket, SSE, the client's callbacks — so that the watch's empty
 * answer after refused calls means they emitted nothing.
 */
import assert from "node:assert/strict";
import { domainXml, rpc, serveGateway, startGateway, TOKENS } from "./helpers.ts";
import { watchEvents } from "./event_watch.ts";
import { VIR } from "../../util/constants.ts";

Deno.test({
  name: "event watch: a suspend is seen on WS, SSE and the client; refused calls emit nothing",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const gw = await startGateway();
    const server = await serveGateway(gw);
    const events = await watchEvents(gw, server.port, "/v1/test/default", {
      uri: "test:///default",
      domainXml,
    });
    try {
      const test = { name: "test", uuid: "6695eb01-f6a4-8304-79aa-97f2502e193f", id: 1 };
      const refused = [
        await rpc(gw, "domainSuspend", [test], TOKENS.readOnly),
        await rpc(gw, "domainSuspend", [test]),
        await rpc(gw, "domainSuspend", [test], TOKENS.restricted),
        await rpc(gw, "domainSetVcpusFlags", [test, 999, 0], TOKENS.full),
      ];
      assert.deepEqual(refused.map((r) => r.status), [403, 401, 403, 400]);
      assert.deepEqual(await events.settle(), []);
      assert.equal((await rpc(gw, "domainSuspend", [test], TOKENS.full)).status, 200);
      const seen = await events.settle();
      const suspended = `${VIR.DOMAIN_EVENT_ID_LIFECYCLE} ${
        JSON.stringify({ event: VIR.DOMAIN_EVENT_SUSPENDED, detail: 0 })
      } test`;
      assert.deepEqual(
        seen.filter((e) => e.endsWith(suspended)).map((e) => e.split(":")[0]).sort(),
        ["client", "sse", "ws"],
        seen.join("\n"),
      );
    } finally {
      await events.close();
      await server.close();
      await gw.close();
    }
  },
});
