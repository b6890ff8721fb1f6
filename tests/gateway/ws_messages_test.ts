// Every RPC WebSocket message is checked against the protocol before the gateway acts on it: a
// malformed request gets an error or ends that socket, never the gateway (hardening issue: a
// read-only token's `{"id":2,"subscribe":1}` used to crash the process).
import assert from "node:assert/strict";
import { rawRpcSocket, serveGateway, startGateway, TOKENS } from "./helpers.ts";

Deno.test("malformed requests are refused one by one and the gateway keeps serving", async () => {
  const gw = await startGateway();
  const server = await serveGateway(gw);
  try {
    const ro = await rawRpcSocket(server.port, TOKENS.readOnly);
    assert.equal((await ro.opened).error, undefined);
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ subscribe: 1 }, /subscribe must be a string or null/],
      [{ subscribe: { toString: 1 } }, /subscribe must be a string or null/],
      [{ method: "connectGetVersion", args: "x" }, /args must be an array/],
      [{ method: 7, args: [] }, /method must be a string/],
      [{ open: ["test:///default"] }, /open must be a string/],
      [{ unsubscribe: 1 }, /unsubscribe must be true/],
      [{ method: "connectGetVersion", args: [], subscribe: null }, /exactly one of/],
    ];
    for (const [body, message] of bad) {
      const r = await ro.request(body);
      assert.equal(r.error?.codeName, "VIR_ERR_INVALID_ARG", JSON.stringify(body));
      assert.match(r.error!.message, message);
    }
    // The socket and the gateway still answer.
    assert.equal(typeof (await ro.call("connectGetVersion", [])).result, "number");
    assert.equal((await ro.request({ subscribe: null })).error, undefined);
    ro.close();

    // Messages without an id end only their own socket.
    for (
      const text of ['{"subscribe":1}', "[1,2]", "null", '{"id":"x","method":"a"}', '{"auth":5}']
    ) {
      const s = await rawRpcSocket(server.port, TOKENS.readOnly);
      await s.opened;
      s.send(text);
      const closed = await s.closed;
      assert.equal(closed.code, 1007, text);
    }
    const again = await rawRpcSocket(server.port, TOKENS.full);
    assert.equal((await again.opened).error, undefined);
    assert.equal(typeof (await again.call("connectGetVersion", [])).result, "number");
    again.close();
  } finally {
    await server.close();
    await gw.close();
  }
});
