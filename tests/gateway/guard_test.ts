// A web page cannot drive the gateway, even with --auth none (hardening issue #6): cross-site
// text/plain or form posts, foreign origins (WebSocket upgrades too) and rebound host names are
// refused before anything runs.
import assert from "node:assert/strict";
import { hostDrivers } from "../../host.ts";
import { createGateway } from "../../gateway/app.ts";
import { guardRefusal, LOOPBACK_HOSTS } from "../../gateway/guard.ts";

const TEST = { name: "test", uuid: "6695eb01-f6a4-8304-79aa-97f2502e193f", id: 1 };

Deno.test("with --auth none on loopback, pages of other sites and rebound names get nowhere", async () => {
  const gw = await createGateway({
    drivers: ["test:///default"],
    auth: "none",
    hosts: [...LOOPBACK_HOSTS, "127.0.0.1"],
    registry: hostDrivers(),
  });
  const call = (init: RequestInit & { host?: string }) =>
    gw.app.request(
      `http://${init.host ?? "127.0.0.1:16510"}/v1/test/default/call/domainDestroyFlags`,
      { method: "POST", body: JSON.stringify([TEST, 0]), ...init },
    );
  const state = async () =>
    (await (await gw.app.request("http://localhost/v1/test/default/call/domainGetState", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([TEST, 0]),
    })).json()).result;
  try {
    const running = await state();
    const attacks: [string, Response][] = [
      ["text/plain post", await call({ headers: { "content-type": "text/plain" } })],
      [
        "form post",
        await call({ headers: { "content-type": "application/x-www-form-urlencoded" } }),
      ],
      [
        "foreign origin",
        await call({
          headers: { "content-type": "application/json", origin: "http://evil.example" },
        }),
      ],
      [
        "rebound host",
        await call({
          host: "attacker.example:16510",
          headers: { "content-type": "application/json" },
        }),
      ],
      [
        "websocket from a foreign page",
        await gw.app.request("http://127.0.0.1:16510/v1/rpc", {
          headers: {
            upgrade: "websocket",
            connection: "upgrade",
            origin: "http://evil.example",
            "sec-websocket-version": "13",
            "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
          },
        }),
      ],
    ];
    for (const [what, res] of attacks) {
      assert.ok([403, 415, 421].includes(res.status), `${what}: ${res.status}`);
      assert.equal((await res.json()).codeName, "VIR_ERR_OPERATION_DENIED", what);
    }
    assert.deepEqual(await state(), running);
    // The gateway's own clients (JSON, no Origin, a loopback Host) are served.
    const ok = await call({ headers: { "content-type": "application/json" } });
    assert.equal(ok.status, 200);
  } finally {
    await gw.close();
  }
});

Deno.test("a page the gateway served may call it whatever URL the request arrives under", () => {
  const refusal = guardRefusal({ origins: [], hosts: LOOPBACK_HOSTS });
  // Behind the guarded TCP listener or on the unix socket, Deno's URL is http+unix://.
  const request = (origin: string, host: string) =>
    new Request(`http+unix://${host}/v1/rpc`, { headers: { origin, host } });
  assert.equal(refusal(request("http://127.0.0.1:16510", "127.0.0.1:16510")), undefined);
  assert.equal(refusal(request("https://[::1]:8443", "[::1]:8443")), undefined);
  assert.equal(refusal(request("http://localhost", "localhost")), undefined);
  for (
    const [origin, host] of [
      ["http://127.0.0.1:9999", "127.0.0.1:16510"],
      ["http://localhost:8080", "localhost"],
      ["http://evil.example:16510", "127.0.0.1:16510"],
    ]
  ) {
    assert.equal(refusal(request(origin, host))?.status, 403, `${origin} for ${host}`);
  }
});
