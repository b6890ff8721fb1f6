// Behind the guarded TCP listener Deno gives the handler an `http+unix://` URL: what the gateway
// writes for callers about where it is (OpenAPI's `servers`) comes from the Host the caller used
// and the scheme the gateway serves, not from that URL.
import assert from "node:assert/strict";
import { spawnGateway } from "./process.ts";

Deno.test("gateway process: OpenAPI's server is the origin the caller reached", async () => {
  const gw = await spawnGateway();
  try {
    const res = await fetch(`${gw.origin}/v1/openapi.json`);
    const doc = await res.json() as { servers: { url: string }[] };
    assert.deepEqual(doc.servers.map((s) => s.url), [gw.origin]);
  } finally {
    await gw.stop();
  }
});
