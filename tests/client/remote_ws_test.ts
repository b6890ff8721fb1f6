// The remote driver over the gateway's RPC WebSocket (a real loopback server): the same results
// and identical errors as in-process with no HTTP call route used, 16 calls in flight on one
// socket run concurrently and are matched by id, events on the socket, a dropped socket ending
// the connection (and its gateway session) as with libvirtd, per-call timeouts, the gateway's
// message limit, and the HTTP fallback.
import assert from "node:assert/strict";
import { waitFor } from "../wait.ts";
import { connect } from "../../host.ts";
import { VIR, VirError } from "../../mod.ts";
import { domainXml, startGateway, TOKENS } from "../gateway/helpers.ts";
import type { Gateway } from "../../gateway/app.ts";
import type { DriverConnection } from "../../util/driver.ts";
import { session } from "./session.ts";

/** Serves the gateway and counts which routes the client used. */
function serveCounting(gw: Gateway, refuseSocket = false) {
  const seen = { calls: 0, sockets: 0 };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const path = new URL(req.url).pathname;
    if (path.includes("/call/")) seen.calls++;
    if (path.endsWith("/rpc")) {
      seen.sockets++;
      if (refuseSocket) return new Response("no", { status: 404 });
    }
    return gw.fetch(req);
  });
  return {
    seen,
    uri: `test+http://127.0.0.1:${server.addr.port}/default`,
    async close() {
      gw.endStreams();
      await server.shutdown();
    },
  };
}

/** The driver connection of the gateway session the one open client connection uses. */
function sessionDriver(gw: Gateway): DriverConnection {
  const [s, ...more] = [...gw.sessions.values()].filter((s) => s.kind === "websocket");
  assert.ok(s && !more.length, "expected one WebSocket session");
  return s.driver;
}

async function withGateway(
  fn: (gw: Gateway, s: ReturnType<typeof serveCounting>) => Promise<void>,
  opts: { limits?: Parameters<typeof startGateway>[0]; refuseSocket?: boolean } = {},
) {
  const gw = await startGateway(opts.limits);
  const served = serveCounting(gw, opts.refuseSocket);
  try {
    await fn(gw, served);
  } finally {
    await served.close();
    await gw.close();
  }
}

Deno.test("over the RPC socket: the same results and identical errors as in-process", async () => {
  const local = await connect("test:///default");
  const expected = await session(local);
  await local.close();
  await withGateway(async (_gw, s) => {
    const remote = await connect(s.uri, { token: TOKENS.full });
    assert.deepEqual(await session(remote), expected);
    await remote.close();
    assert.deepEqual(s.seen, { calls: 0, sockets: 1 });
    const ro = await connect(s.uri, { token: TOKENS.readOnly });
    const err = await (await ro.lookupDomainByName("test")).destroyFlags(0).catch((e) => e);
    assert.equal(err.codeName, "VIR_ERR_OPERATION_DENIED");
    await ro.close();
    for (const token of ["wrong", ""]) {
      const denied = await connect(s.uri, { token: token || undefined, tokenFile: "/nonexistent" })
        .catch((e) => e);
      assert.ok(denied instanceof VirError);
      assert.equal(denied.codeName, "VIR_ERR_AUTH_FAILED");
    }
  });
});

Deno.test("16 calls in flight on one socket run concurrently and are matched by id", async () => {
  await withGateway(async (gw, s) => {
    const conn = await connect(s.uri, { token: TOKENS.full, timeoutMs: 5000 });
    const driver = sessionDriver(gw);
    const lookup = driver.domainLookupByName!.bind(driver);
    let arrived = 0;
    const all = Promise.withResolvers<void>();
    // Each call waits until all 16 are inside the driver: a serial gateway would never get there.
    driver.domainLookupByName = async (name) => {
      if (++arrived === 16) all.resolve();
      await all.promise;
      // Answer in reverse order of arrival, so ids, not order, must match them up.
      await new Promise((r) => setTimeout(r, 16 - arrived--));
      return { ...await lookup("test"), name };
    };
    const names = Array.from({ length: 16 }, (_, i) => `d${i}`);
    const got = await Promise.all(names.map((n) => conn.lookupDomainByName(n)));
    assert.deepEqual(got.map((d) => d.name), names);
    await conn.close();
    assert.equal(s.seen.sockets, 1);
  });
});

Deno.test("events on the socket; a dropped socket ends the connection and its session", async () => {
  const sockets: WebSocket[] = [];
  const Original = globalThis.WebSocket;
  // Records the client's sockets so the test can cut one, as a broken network would.
  globalThis.WebSocket = class extends Original {
    constructor(url: string | URL, protocols?: ConstructorParameters<typeof WebSocket>[1]) {
      super(url, protocols);
      sockets.push(this);
    }
  };
  try {
    await withGateway(async (gw, s) => {
      const conn = await connect(s.uri, { token: TOKENS.full });
      const seen: string[] = [];
      conn.domainEventRegisterAny(null, VIR.DOMAIN_EVENT_ID_LIFECYCLE, (ev) => {
        seen.push(`${(ev.object as { name: string }).name}:${ev.data.event}`);
      });
      const dom = await conn.defineXMLFlags(domainXml("ev1"), 0);
      await dom.createWithFlags(0);
      await waitFor(() => seen.length === 2);
      assert.deepEqual(seen, [
        `ev1:${VIR.DOMAIN_EVENT_DEFINED}`,
        `ev1:${VIR.DOMAIN_EVENT_STARTED}`,
      ]);
      assert.equal(gw.sessions.size, 1);
      sockets[0].close();
      // As with libvirtd, the gateway closes the session's driver connection: it was the last
      // on test:///default, so the domain defined through it is gone.
      await waitFor(() => gw.sessions.size === 0);
      const other = await connect("test:///default");
      assert.deepEqual((await other.listAllDomains()).map((d) => d.name), ["test"]);
      await other.close();
      // The client does not reconnect behind the caller's back: the connection is gone.
      const err = await conn.listAllDomains().catch((e) => e);
      assert.deepEqual([err.codeName, err.domainName], ["VIR_ERR_SYSTEM_ERROR", "VIR_FROM_RPC"]);
      assert.equal(sockets.length, 1);
      await conn.close();
    });
  } finally {
    globalThis.WebSocket = Original;
  }
});

Deno.test("over the socket: per-call timeouts and the gateway's message limit", async () => {
  await withGateway(async (gw, s) => {
    // The timeout is longer than the gateway's lingering close (gateway/ws_close.ts QUIET_MS),
    // so that the oversized message below ends in the close, not in the timeout.
    const conn = await connect(s.uri, { token: TOKENS.full, timeoutMs: 1000 });
    const driver = sessionDriver(gw);
    const original = driver.connectGetHostname;
    driver.connectGetHostname = () => new Promise((r) => setTimeout(() => r("late"), 1500));
    const slow = await conn.getHostname().catch((e) => e);
    assert.deepEqual([slow.codeName, slow.domainName], [
      "VIR_ERR_OPERATION_TIMEOUT",
      "VIR_FROM_RPC",
    ]);
    driver.connectGetHostname = original;
    // A message over maxBodyBytes: the gateway closes the socket, which ends the connection.
    const big = await conn.defineXMLFlags(domainXml("x".repeat(4096)), 0).catch((e) => e);
    assert.deepEqual([big.codeName, big.domainName], ["VIR_ERR_SYSTEM_ERROR", "VIR_FROM_RPC"]);
    await waitFor(() => gw.sessions.size === 0);
    assert.equal(s.seen.sockets, 1);
    await conn.close();
    await new Promise((r) => setTimeout(r, 1500));
  }, { limits: { maxBodyBytes: 2048 } });
});

Deno.test("without the RPC socket the client falls back to HTTP POST", async () => {
  await withGateway(async (_gw, s) => {
    const conn = await connect(s.uri, { token: TOKENS.full });
    assert.equal((await conn.listAllDomains())[0].name, "test");
    await conn.close();
    assert.equal(s.seen.sockets, 1);
    assert.equal(s.seen.calls, 1);
    const forced = await connect(s.uri, { token: TOKENS.full, channel: "http" });
    await forced.getVersion();
    await forced.close();
    assert.equal(s.seen.sockets, 1);
  }, { refuseSocket: true });
});
