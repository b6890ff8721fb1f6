// Sockets without an accepted token are counted apart and closed unless a token comes in time,
// so anonymous sockets cannot lock authenticated clients out (hardening issue #5).
import assert from "node:assert/strict";
import { rawRpcSocket, serveGateway, startGateway, TOKENS } from "./helpers.ts";

Deno.test("anonymous sockets have their own small cap and a deadline; clients with tokens get in", async () => {
  const gw = await startGateway({ maxUnauthenticatedSockets: 3, authTimeoutMs: 400 });
  const server = await serveGateway(gw);
  try {
    const idle = await Promise.all([1, 2, 3].map(() => rawRpcSocket(server.port)));
    // A fourth anonymous socket is refused at the upgrade …
    const refused = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/v1/rpc`, "edgevirt.rpc.v2");
      ws.onopen = () => resolve("open");
      ws.onerror = () => resolve("refused");
    });
    assert.equal(refused, "refused");
    // … and the anonymous ones are closed once their deadline passes.
    const closes = await Promise.all(idle.map((s) => s.closed));
    assert.deepEqual(closes.map((c) => c.code), [1008, 1008, 1008]);
    // Their slots are free again, and an authenticated socket is not bound by the deadline.
    const client = await rawRpcSocket(server.port, TOKENS.full);
    assert.equal((await client.opened).error, undefined);
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(typeof (await client.call("connectGetVersion", [])).result, "number");
    client.close();
    await client.closed;
  } finally {
    await server.close();
    await gw.close();
  }
});
