// CORS: pages on a configured origin may call the gateway from a browser (preflights answered
// before authentication, every answer readable, errors included); other origins, and every
// origin when none is configured, get no CORS headers at all.
import assert from "node:assert/strict";
import { createGateway } from "../../gateway/app.ts";
import { hostDrivers } from "../../host.ts";
import { hashToken, TokenStore } from "../../gateway/tokens.ts";
import { REPO_ROOT } from "../paths.ts";
import { snapshot, TOKENS } from "./helpers.ts";

const PAGE = "http://127.0.0.1:8080";
const OTHER = "http://evil.example";
const CALL = "/v1/test/default/call/connectListAllDomains";

async function gateway(corsOrigins?: string[]) {
  const store = new TokenStore([
    { name: "full", sha256: await hashToken(TOKENS.full), role: "full" },
  ]);
  return await createGateway({
    drivers: ["test:///default"],
    registry: hostDrivers(),
    auth: store,
    corsOrigins,
  });
}

const preflight = (origin: string) =>
  new Request(`http://gw${CALL}`, {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "authorization, content-type",
    },
  });

const call = (origin: string, token?: string) =>
  new Request(`http://gw${CALL}`, {
    method: "POST",
    headers: {
      origin,
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: "[0]",
  });

Deno.test("a configured origin's preflight is answered without a token", async () => {
  const gw = await gateway(["https://other.example", PAGE]);
  try {
    const res = await gw.fetch(preflight(PAGE));
    assert.equal(res.status, 204);
    assert.equal(res.headers.get("access-control-allow-origin"), PAGE);
    assert.match(res.headers.get("access-control-allow-headers")!, /\bAuthorization\b/);
    assert.match(res.headers.get("access-control-allow-headers")!, /\bContent-Type\b/);
    assert.match(res.headers.get("access-control-allow-methods")!, /\bPOST\b/);
    assert.match(res.headers.get("vary")!, /Origin/);
  } finally {
    await gw.close();
  }
});

Deno.test("answers to a configured origin carry the CORS header, errors and streams included", async () => {
  const gw = await gateway([PAGE]);
  try {
    const ok = await gw.fetch(call(PAGE, TOKENS.full));
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get("access-control-allow-origin"), PAGE);
    assert.equal((await ok.json()).result[0].name, "test");
    const denied = await gw.fetch(call(PAGE));
    assert.equal(denied.status, 401);
    assert.equal(denied.headers.get("access-control-allow-origin"), PAGE);
    assert.equal((await denied.json()).codeName, "VIR_ERR_AUTH_FAILED");
    const missing = await gw.fetch(
      new Request("http://gw/v1/nowhere", { headers: { origin: PAGE } }),
    );
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get("access-control-allow-origin"), PAGE);
    await missing.body?.cancel();
    const events = await gw.fetch(
      new Request("http://gw/v1/test/default/events", {
        headers: { origin: PAGE, authorization: `Bearer ${TOKENS.full}` },
      }),
    );
    assert.match(events.headers.get("content-type")!, /text\/event-stream/);
    assert.equal(events.headers.get("access-control-allow-origin"), PAGE);
    await events.body?.cancel();
  } finally {
    await gw.close();
  }
});

Deno.test("other origins, and all of them without --cors-origin, get no CORS headers", async () => {
  for (const origins of [[PAGE], undefined]) {
    const gw = await gateway(origins);
    try {
      const origin = origins ? OTHER : PAGE;
      const pre = await gw.fetch(preflight(origin));
      assert.notEqual(pre.status, 204);
      assert.equal(pre.headers.get("access-control-allow-origin"), null);
      await pre.body?.cancel();
      const before = await snapshot(gw);
      const res = await gw.fetch(call(origin, TOKENS.full));
      // The call does not run at all (CORS alone would only hide its answer), and even the
      // refusal is unreadable to the page.
      assert.equal(res.status, 403);
      assert.equal(res.headers.get("access-control-allow-origin"), null);
      await res.body?.cancel();
      assert.equal(await snapshot(gw), before);
    } finally {
      await gw.close();
    }
  }
});

Deno.test("the gateway refuses a --cors-origin that is not an exact origin", async () => {
  for (const bad of ["http://127.0.0.1:8080/app", "127.0.0.1:8080", "ftp://host", "*"]) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${REPO_ROOT}/gateway/main.ts`, "--cors-origin", bad, "--auth", "none"],
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 2, bad);
    assert.match(new TextDecoder().decode(out.stderr), /--cors-origin wants an origin/);
  }
});
