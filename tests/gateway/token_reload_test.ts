// The gateway picks token changes up without a restart (file watch, SIGHUP), keeps its open
// sessions across them, and is not stopped by SIGHUP.
import assert from "node:assert/strict";
import { createToken, listTokens, revokeToken } from "../../tools/token/mod.ts";
import { spawnGateway } from "./process.ts";

async function status(origin: string, token: string): Promise<number> {
  const res = await fetch(`${origin}/v1/test/default`, {
    headers: { authorization: `Bearer ${token}` },
  });
  await res.body?.cancel();
  return res.status;
}

/** How long until `origin` answers `want` for `token`, polling every 50 ms, at most 3 s. */
async function msUntil(origin: string, token: string, want: number): Promise<number> {
  const start = performance.now();
  while (await status(origin, token) !== want) {
    if (performance.now() - start > 3000) throw new Error(`no ${want} after 3 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return performance.now() - start;
}

Deno.test("a created token works and a revoked one gets 401 within 1 s, without a restart", async () => {
  const gw = await spawnGateway();
  try {
    const { id, token } = await createToken(gw.tokenFile, { role: "read-only" }, new Date());
    assert.ok(await msUntil(gw.origin, token, 200) < 1000);
    await revokeToken(gw.tokenFile, id);
    assert.ok(await msUntil(gw.origin, token, 401) < 1000);
    assert.equal(await status(gw.origin, gw.token), 200);
  } finally {
    await gw.stop();
  }
});

Deno.test("SIGHUP reloads the tokens, keeps sessions, and a bad file keeps the old tokens", async () => {
  const gw = await spawnGateway();
  try {
    const auth = { authorization: `Bearer ${gw.token}`, "content-type": "application/json" };
    const opened = await fetch(`${gw.origin}/v1/sessions`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ uri: "test:///default" }),
    });
    assert.equal(opened.status, 201, await opened.clone().text());
    const { session: id } = await opened.json();
    gw.child.kill("SIGHUP");
    await msUntilLog(gw.stderr, /reloaded the tokens \(SIGHUP\)/);
    // SIGHUP also writes when each token was last used, for `token list`.
    assert.match(await listTokens(gw.tokenFile), /\n admin +full +- +- +\d{4}-\d\d-\d\dT\S+Z +-\n/);
    const call = await fetch(`${gw.origin}/v1/sessions/${id}/call/connectGetHostname`, {
      method: "POST",
      headers: auth,
      body: "[]",
    });
    assert.equal(call.status, 200, await call.clone().text());
    await call.body?.cancel();

    await Deno.writeTextFile(gw.tokenFile, "{ not json");
    await msUntilLog(gw.stderr, /keeping the tokens loaded before: .*not JSON/);
    assert.equal(await status(gw.origin, gw.token), 200);
  } finally {
    const { code } = await gw.stop();
    assert.equal(code, 0);
  }
});

async function msUntilLog(stderr: () => string, line: RegExp): Promise<void> {
  const start = performance.now();
  while (!line.test(stderr())) {
    if (performance.now() - start > 3000) throw new Error(`no ${line} in:\n${stderr()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("SIGHUP does not stop a gateway without tokens (--auth none)", async () => {
  const gw = await spawnGateway({ args: ["--auth", "none"] });
  try {
    gw.child.kill("SIGHUP");
    await msUntilLog(gw.stderr, /nothing to reload/);
    const res = await fetch(`${gw.origin}/healthz`);
    assert.equal(res.status, 200);
    await res.body?.cancel();
  } finally {
    assert.equal((await gw.stop()).code, 0);
  }
});
