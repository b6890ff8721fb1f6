// Per-object rules judge the object the driver acts on, not the name a caller writes beside its
// UUID (hardening issue: a token allowed only `web-*` destroyed `test` by calling it "web-x").
import assert from "node:assert/strict";
import {
  domainXml,
  rawRpcSocket,
  rpc,
  serveGateway,
  snapshot,
  startGateway,
  TOKENS,
} from "./helpers.ts";

const TEST_UUID = "6695eb01-f6a4-8304-79aa-97f2502e193f";
const DISGUISED = { name: "web-x", uuid: TEST_UUID, id: 1 };

Deno.test("a restricted token cannot reach another domain by naming it web-* (HTTP and WS)", async () => {
  const gw = await startGateway();
  const server = await serveGateway(gw);
  try {
    const before = await snapshot(gw);
    for (
      const [method, args] of [
        ["domainDestroyFlags", [DISGUISED, 0]],
        ["domainUndefineFlags", [DISGUISED, 0]],
        ["domainGetXMLDesc", [DISGUISED, 0]],
        ["domainSuspend", [DISGUISED]],
      ] as const
    ) {
      const http = await rpc(gw, method, args, TOKENS.restricted);
      assert.equal(http.status, 403, `${method}: ${JSON.stringify(http.body)}`);
      assert.equal(http.body.codeName, "VIR_ERR_ACCESS_DENIED");
    }
    const ws = await rawRpcSocket(server.port, TOKENS.restricted);
    assert.equal((await ws.opened).error, undefined);
    const r = await ws.call("domainDestroyFlags", [DISGUISED, 0]);
    assert.equal(r.error?.codeName, "VIR_ERR_ACCESS_DENIED");
    ws.close();
    assert.equal(await snapshot(gw), before);

    // Its own domains stay within reach, by their real references.
    const made = await rpc(gw, "domainDefineXMLFlags", [domainXml("web-1"), 0], TOKENS.restricted);
    assert.equal(made.status, 200, JSON.stringify(made.body));
    const ref = made.body.result as { name: string; uuid: string; id: number };
    const start = await rpc(gw, "domainCreateWithFlags", [ref, 0], TOKENS.restricted);
    assert.equal(start.status, 200, JSON.stringify(start.body));
    // … and not by a foreign UUID under its own name either.
    const swapped = await rpc(
      gw,
      "domainDestroyFlags",
      [{ ...DISGUISED, name: "web-1" }, 0],
      TOKENS.restricted,
    );
    assert.equal(swapped.body.codeName, "VIR_ERR_ACCESS_DENIED");
  } finally {
    await server.close();
    await gw.close();
  }
});
