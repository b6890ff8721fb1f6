// Gateway sessions as libvirtd's client connections: each owns a driver connection, sessions on
// test:///default share its state until the last one closes, the max-sessions limit, the idle
// timeout of HTTP sessions (an open event stream counts as use), and the REST routes' own
// connection, which the gateway opens on demand and lets go when idle.
import assert from "node:assert/strict";
import { connect } from "../../host.ts";
import {
  domainXml,
  rawRpcSocket,
  rpc,
  serveGateway,
  sessionRequest,
  startGateway,
  TOKENS,
} from "./helpers.ts";

const names = (list: unknown) => (list as { name: string }[]).map((d) => d.name);

Deno.test("sessions on test:///default share its state until the last closes, then it resets", async () => {
  const gw = await startGateway();
  const server = await serveGateway(gw);
  const uri = `test+http://127.0.0.1:${server.port}/default`;
  try {
    assert.equal(gw.sessions.size, 0, "the gateway holds no connection of its own at start");
    const a = await connect(uri, { token: TOKENS.full });
    const b = await connect(uri, { token: TOKENS.full, channel: "http" });
    assert.deepEqual([...gw.sessions.values()].map((s) => s.kind), ["websocket", "http"]);
    await a.defineXMLFlags(domainXml("shared"), 0);
    assert.deepEqual((await b.listAllDomains()).map((d) => d.name).sort(), ["shared", "test"]);
    await a.close();
    assert.ok((await b.lookupDomainByName("shared")).name, "b still holds the state");
    await b.close();
    assert.equal(gw.sessions.size, 0);
    const c = await connect(uri, { token: TOKENS.full });
    assert.deepEqual((await c.listAllDomains()).map((d) => d.name), ["test"]);
    await c.close();
  } finally {
    await server.close();
    await gw.close();
  }
});

Deno.test("beyond maxSessions, opening a session is refused with RESOURCE_BUSY", async () => {
  const gw = await startGateway({ maxSessions: 2 });
  const server = await serveGateway(gw);
  try {
    const first = await rawRpcSocket(server.port, TOKENS.full);
    const second = await sessionRequest(gw, "POST", "", { uri: "test:///default" }, TOKENS.full);
    assert.equal((await first.opened).error, undefined);
    assert.equal(second.status, 201);
    const http = await sessionRequest(gw, "POST", "", { uri: "test:///default" }, TOKENS.full);
    assert.equal(http.status, 503);
    assert.equal(http.body.codeName, "VIR_ERR_RESOURCE_BUSY");
    const ws = await rawRpcSocket(server.port, TOKENS.full);
    assert.deepEqual((await ws.opened).error, http.body);
    // The REST routes need a session too, and are refused the same way.
    assert.equal((await rpc(gw, "connectGetHostname", [], TOKENS.full)).status, 503);
    // A socket's session is released with the socket.
    first.close();
    await first.closed;
    for (let i = 0; i < 100 && gw.sessions.size > 1; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.equal(gw.sessions.size, 1);
    assert.equal((await rpc(gw, "connectGetHostname", [], TOKENS.full)).status, 200);
    ws.close();
  } finally {
    await server.close();
    await gw.close();
  }
});

Deno.test("one token may not take every session: beyond its share it gets RESOURCE_BUSY", async () => {
  const gw = await startGateway({ maxSessionsPerToken: 2 });
  try {
    const open = (token: string) =>
      sessionRequest(gw, "POST", "", { uri: "test:///default" }, token);
    // Opened in parallel, so that sessions still opening count toward the share.
    const three = await Promise.all([0, 1, 2].map(() => open(TOKENS.full)));
    assert.deepEqual(three.map((r) => r.status).sort(), [201, 201, 503]);
    const refused = three.find((r) => r.status === 503)!;
    assert.equal(refused.body.codeName, "VIR_ERR_RESOURCE_BUSY");
    assert.match(String(refused.body.message), /too many sessions for token '[^']+'/);
    // Another token still gets its own.
    assert.equal((await open(TOKENS.readOnly)).status, 201);
  } finally {
    await gw.close();
  }
});

Deno.test("an idle HTTP session expires; an open event stream keeps it alive", async () => {
  const gw = await startGateway({ sessionIdleMs: 40 });
  const open = async () =>
    (await sessionRequest(gw, "POST", "", { uri: "test:///default" }, TOKENS.full)).body
      .session as string;
  const hostname = (id: string) =>
    sessionRequest(gw, "POST", `/${id}/call/connectGetHostname`, [], TOKENS.full);
  try {
    const idle = await open();
    const watched = await open();
    const stream = await gw.app.request(`/v1/sessions/${watched}/events`, {
      headers: { authorization: `Bearer ${TOKENS.full}` },
    });
    assert.equal(stream.status, 200);
    await new Promise((r) => setTimeout(r, 150));
    const expired = await hostname(idle);
    assert.equal(expired.status, 404);
    assert.equal(expired.body.codeName, "VIR_ERR_INVALID_CONN");
    assert.equal((await hostname(watched)).status, 200);
    await stream.body!.cancel();
    await new Promise((r) => setTimeout(r, 150));
    assert.equal((await hostname(watched)).status, 404);
    assert.equal(gw.sessions.size, 0);
  } finally {
    await gw.close();
  }
});

Deno.test("the REST routes' connection opens on demand and is let go when idle", async () => {
  const gw = await startGateway({ sessionIdleMs: 40 });
  try {
    assert.equal(gw.sessions.size, 0);
    await rpc(gw, "domainDefineXMLFlags", [domainXml("rest-1"), 0], TOKENS.full);
    const list = await rpc(gw, "connectListAllDomains", [0], TOKENS.full);
    assert.deepEqual(names(list.body.result).sort(), ["rest-1", "test"]);
    assert.deepEqual([...gw.sessions.values()].map((s) => s.kind), ["rest"]);
    await new Promise((r) => setTimeout(r, 150));
    // Nothing held test:///default: it started afresh.
    assert.equal(gw.sessions.size, 0);
    const again = await rpc(gw, "connectListAllDomains", [0], TOKENS.full);
    assert.deepEqual(names(again.body.result), ["test"]);
  } finally {
    await gw.close();
  }
});
