// Route-by-route authorization: every mutating (and secret-reading) method is refused for a
// missing token, a wrong token and a read-only token, and nothing changes; per-object rules
// hide objects from lists, lookups, REST and event streams.
import assert from "node:assert/strict";
import { isCallable, methodAccess } from "../../gateway/access.ts";
import { type ArgKind, callInfo, CONTRACT } from "../../util/contract/mod.ts";
import { parseSse } from "../../client/remote/sse.ts";
import { RPC_SOCKET_PATH, RPC_SUBPROTOCOL } from "../../protocol/ws_protocol.ts";
import {
  domainXml,
  rawRpcSocket,
  rpc,
  serveGateway,
  sessionRequest,
  snapshot,
  startGateway,
  TOKENS,
} from "./helpers.ts";
import { watchEvents } from "./event_watch.ts";

const TEST_DOM = { name: "test", uuid: "6695eb01-f6a4-8304-79aa-97f2502e193f", id: 1 };

/** A well-formed argument of each kind, aimed at objects that exist in test:///default. */
const SAMPLE: Record<ArgKind, unknown> = {
  dom: TEST_DOM,
  net: { name: "default", uuid: "dd8fe884-6c02-601e-7551-cca97df1c5df" },
  netport: { network: "default", uuid: "00000000-0000-0000-0000-000000000003" },
  pool: { name: "default-pool", uuid: "dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566" },
  vol: { pool: "default-pool", name: "v", key: "/default-pool/v" },
  dev: { name: "computer" },
  iface: { name: "eth1", mac: "aa:bb:cc:dd:ee:ff" },
  secret: { uuid: "00000000-0000-0000-0000-000000000000", usageType: 0, usageID: "x" },
  nwfilter: { name: "clean-traffic", uuid: "00000000-0000-0000-0000-000000000002" },
  nwbinding: { portdev: "vnet0", filtername: "clean-traffic" },
  // Non-zero, so that libvirt's argument checks that run before the read-only one pass.
  int: 1,
  uint: 1,
  long: 1,
  ulong: 1,
  uuid: TEST_DOM.uuid,
  str: domainXml("intruder"),
  "str?": null,
  bool: true,
  "str[]": [],
  "num[]": [],
  "bool[]": [true],
  // not empty: virDomainSetLaunchSecurityState checks the count before the read-only flag
  params: { weight: 1 },
};

const callable = Object.keys(CONTRACT).filter(isCallable);
const sampleArgs = (m: (typeof callable)[number]) =>
  callInfo(m).decl.args.map((a) => SAMPLE[a.kind]);
const privileged = callable.filter((m) => methodAccess(m, sampleArgs(m)) !== "read");

Deno.test(`${privileged.length} mutating/secret methods × {no token, bad token, read-only} are refused, change nothing and emit no event`, async () => {
  assert.ok(privileged.length > 90, `only ${privileged.length} privileged methods`);
  const gw = await startGateway();
  const server = await serveGateway(gw);
  const events = await watchEvents(gw, server.port, "/v1/test/default", {
    uri: "test:///default",
    domainXml,
  });
  try {
    const before = await snapshot(gw);
    for (const method of privileged) {
      const args = sampleArgs(method);
      const none = await rpc(gw, method, args);
      assert.equal(none.status, 401, `${method} without token`);
      assert.equal(none.body.codeName, "VIR_ERR_AUTH_FAILED");
      const bad = await rpc(gw, method, args, "not-a-token");
      assert.equal(bad.status, 401, `${method} with a bad token`);
      const ro = await rpc(gw, method, args, TOKENS.readOnly);
      assert.equal(ro.status, 403, `${method} read-only: ${JSON.stringify(ro.body)}`);
      assert.equal(ro.body.codeName, "VIR_ERR_OPERATION_DENIED");
      assert.match(
        ro.body.message as string,
        /read only access prevents vir|^operation forbidden: vir\w+ with secure flag$/,
      );
    }
    assert.equal(await snapshot(gw), before);
    assert.deepEqual(await events.settle(), []);
  } finally {
    await events.close();
    await server.close();
    await gw.close();
  }
});

Deno.test(`HTTP sessions: open needs a token; ${privileged.length} mutating/secret methods × {no token, bad token, another caller, read-only} are refused and change nothing`, async () => {
  const gw = await startGateway();
  try {
    const before = await snapshot(gw);
    const open = (token?: string, uri = "test:///default") =>
      sessionRequest(gw, "POST", "", { uri }, token);
    for (const token of [undefined, "not-a-token"]) {
      const refused = await open(token);
      assert.equal(refused.status, 401);
      assert.equal(refused.body.codeName, "VIR_ERR_AUTH_FAILED");
    }
    const full = await open(TOKENS.full);
    const ro = await open(TOKENS.readOnly);
    assert.deepEqual([full.status, ro.status], [201, 201]);
    const fullId = full.body.session as string;
    const roId = ro.body.session as string;
    assert.notEqual(fullId, roId);
    for (const method of privileged) {
      const args = sampleArgs(method);
      const call = (id: string, token?: string) =>
        sessionRequest(gw, "POST", `/${id}/call/${method}`, args, token);
      const none = await call(fullId);
      assert.equal(none.status, 401, `${method} without token`);
      const bad = await call(fullId, "not-a-token");
      assert.equal(bad.status, 401, `${method} with a bad token`);
      // The session id is no credential: another caller's token cannot use it.
      const foreign = await call(fullId, TOKENS.readOnly);
      assert.equal(foreign.status, 404, `${method} in another caller's session`);
      assert.equal(foreign.body.codeName, "VIR_ERR_INVALID_CONN");
      const denied = await call(roId, TOKENS.readOnly);
      assert.equal(denied.status, 403, `${method} read-only: ${JSON.stringify(denied.body)}`);
      assert.equal(denied.body.codeName, "VIR_ERR_OPERATION_DENIED");
    }
    // Nor can another caller close it, or read its events.
    assert.equal(
      (await sessionRequest(gw, "DELETE", `/${fullId}`, undefined, TOKENS.readOnly))
        .status,
      404,
    );
    const events = await gw.app.request(`/v1/sessions/${fullId}/events`, {
      headers: { authorization: `Bearer ${TOKENS.restricted}` },
    });
    assert.equal(events.status, 404);
    await events.body?.cancel();
    assert.equal(await snapshot(gw), before);
    for (const [id, token] of [[fullId, TOKENS.full], [roId, TOKENS.readOnly]]) {
      assert.equal((await sessionRequest(gw, "DELETE", `/${id}`, undefined, token)).status, 204);
    }
    assert.equal(
      (await sessionRequest(gw, "POST", `/${fullId}/call/connectGetHostname`, [], TOKENS.full))
        .body.codeName,
      "VIR_ERR_INVALID_CONN",
    );
  } finally {
    await gw.close();
  }
});

Deno.test("opening a URI the gateway does not serve needs a full-role token without rules", async () => {
  const gw = await startGateway();
  const server = await serveGateway(gw);
  const node = new URL("../conformance/nodes/empty.xml", import.meta.url).pathname;
  try {
    for (const token of [TOKENS.readOnly, TOKENS.restricted]) {
      const http = await sessionRequest(gw, "POST", "", { uri: `test://${node}` }, token);
      assert.equal(http.status, 403);
      assert.equal(http.body.codeName, "VIR_ERR_ACCESS_DENIED");
      const ws = await rawRpcSocket(server.port, token, `test://${node}`);
      assert.deepEqual((await ws.opened).error, http.body);
      // Without a connection the socket can do nothing.
      const call = await ws.call("connectListAllDomains", [0]);
      assert.equal(call.error?.codeName, "VIR_ERR_INVALID_CONN");
      ws.close();
    }
    const ok = await sessionRequest(gw, "POST", "", { uri: `test://${node}` }, TOKENS.full);
    assert.equal(ok.status, 201);
    for (const uri of ["test+http://127.0.0.1:1/default", "test://elsewhere/default", "nope:///"]) {
      const refused = await sessionRequest(gw, "POST", "", { uri }, TOKENS.full);
      assert.equal(refused.body.codeName, "VIR_ERR_NO_CONNECT", uri);
    }
  } finally {
    await server.close();
    await gw.close();
  }
});

Deno.test(`RPC socket: ${privileged.length} mutating/secret methods × {no token, bad token, read-only} are refused and change nothing`, async () => {
  const gw = await startGateway();
  const server = await serveGateway(gw);
  try {
    const before = await snapshot(gw);
    const none = await rawRpcSocket(server.port);
    const bad = await rawRpcSocket(server.port, "not-a-token");
    const ro = await rawRpcSocket(server.port, TOKENS.readOnly);
    for (const s of [none, bad]) {
      assert.equal((await s.opened).error?.codeName, "VIR_ERR_AUTH_FAILED");
    }
    assert.equal((await ro.opened).error, undefined);
    // Every call in flight at once: the socket answers each by its id.
    await Promise.all(privileged.map(async (method) => {
      const args = sampleArgs(method);
      const [n, b, r] = await Promise.all([none, bad, ro].map((s) => s.call(method, args)));
      assert.equal(n.error?.codeName, "VIR_ERR_AUTH_FAILED", `${method} without token`);
      assert.equal(n.error?.message, "authentication failed: a bearer token is required");
      assert.equal(b.error?.codeName, "VIR_ERR_AUTH_FAILED", `${method} with a bad token`);
      assert.equal(r.error?.codeName, "VIR_ERR_OPERATION_DENIED", `${method} read-only`);
      assert.match(
        r.error!.message,
        /read only access prevents vir|^operation forbidden: vir\w+ with secure flag$/,
      );
    }));
    // Without a valid token nothing else works either: no session, no events.
    for (const s of [none, bad]) {
      const open = await s.request({ open: "test:///default" });
      assert.equal(open.error?.codeName, "VIR_ERR_AUTH_FAILED");
      assert.equal((await s.request({ subscribe: null })).error?.codeName, "VIR_ERR_AUTH_FAILED");
      assert.equal(
        (await s.call("connectListAllDomains", [0])).error?.codeName,
        "VIR_ERR_AUTH_FAILED",
      );
    }
    // The HTTP route's refusals and the socket's are the same errors.
    const http = await rpc(gw, "domainDestroyFlags", [TEST_DOM, 0], TOKENS.readOnly);
    assert.deepEqual((await ro.call("domainDestroyFlags", [TEST_DOM, 0])).error, http.body);
    for (const s of [none, bad, ro]) s.close();
    assert.equal(await snapshot(gw), before);
  } finally {
    await server.close();
    await gw.close();
  }
});

Deno.test("RPC socket: a bearer subprotocol works like the first-message token", async () => {
  const gw = await startGateway();
  const server = await serveGateway(gw);
  try {
    for (
      const [token, code] of [[TOKENS.readOnly, "VIR_ERR_OPERATION_DENIED"], [
        "nope",
        "VIR_ERR_AUTH_FAILED",
      ]]
    ) {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}${RPC_SOCKET_PATH}`, [
        RPC_SUBPROTOCOL,
        `bearer.${token}`,
      ]);
      const answer = new Promise<{ error?: { codeName: string } }>((resolve) => {
        ws.onmessage = (e) => {
          const msg = JSON.parse(e.data);
          if (msg.id === 2) resolve(msg);
        };
      });
      ws.onopen = () => {
        ws.send(JSON.stringify({ id: 1, open: "test:///default" }));
        ws.send(JSON.stringify({ id: 2, method: "domainSuspend", args: [TEST_DOM] }));
      };
      assert.equal((await answer).error?.codeName, code);
      assert.equal(ws.protocol, RPC_SUBPROTOCOL);
      ws.close();
    }
    assert.equal((await rpc(gw, "domainIsActive", [TEST_DOM], TOKENS.full)).body.result, true);
  } finally {
    await server.close();
    await gw.close();
  }
});

Deno.test("read-only callers may read, but not secure XML", async () => {
  const gw = await startGateway();
  try {
    const list = await rpc(gw, "connectListAllDomains", [0], TOKENS.readOnly);
    assert.equal(list.status, 200);
    const plain = await rpc(gw, "domainGetXMLDesc", [TEST_DOM, 0], TOKENS.readOnly);
    assert.equal(plain.status, 200);
    const secure = await rpc(gw, "domainGetXMLDesc", [TEST_DOM, 1], TOKENS.readOnly);
    assert.equal(secure.status, 403);
    assert.equal(
      (await rpc(gw, "storageVolLookupByPath", ["/etc/passwd"], TOKENS.readOnly))
        .status,
      403,
    );
  } finally {
    await gw.close();
  }
});

Deno.test("REST and event routes need a token too", async () => {
  const gw = await startGateway();
  try {
    for (
      const [path, method] of [
        ["/v1/test/default", "GET"],
        ["/v1/test/default/domains", "GET"],
        ["/v1/test/default/domains/test/destroy", "POST"],
        ["/v1/test/default/domains/test", "DELETE"],
        ["/v1/test/default/events", "GET"],
        ["/v1/test/default/node", "GET"],
      ]
    ) {
      const res = await gw.app.request(path, { method });
      assert.equal(res.status, 401, `${method} ${path}`);
      await res.body?.cancel();
    }
    const ro = await gw.app.request("/v1/test/default/domains/test/destroy", {
      method: "POST",
      headers: { authorization: `Bearer ${TOKENS.readOnly}` },
    });
    assert.equal(ro.status, 403);
    const dom = await rpc(gw, "domainIsActive", [TEST_DOM], TOKENS.full);
    assert.equal(dom.body.result, true);
  } finally {
    await gw.close();
  }
});

Deno.test("per-object rules: lists, counts and lookups hide what the caller may not see", async () => {
  const gw = await startGateway();
  try {
    for (const name of ["web-1", "db-1"]) {
      await rpc(gw, "domainDefineXMLFlags", [domainXml(name), 0], TOKENS.full);
    }
    const all = await rpc(gw, "connectListAllDomains", [0], TOKENS.restricted);
    assert.deepEqual((all.body.result as { name: string }[]).map((d) => d.name), ["web-1"]);
    const defined = await rpc(gw, "connectListDefinedDomains", [], TOKENS.restricted);
    assert.deepEqual(defined.body.result, ["web-1"]);
    assert.equal(
      (await rpc(gw, "connectNumOfDefinedDomains", [], TOKENS.restricted)).body.result,
      1,
    );
    assert.deepEqual((await rpc(gw, "connectListDomains", [], TOKENS.restricted)).body.result, []);
    const hidden = await rpc(gw, "domainLookupByName", ["db-1"], TOKENS.restricted);
    assert.equal(hidden.status, 403);
    assert.equal(hidden.body.codeName, "VIR_ERR_ACCESS_DENIED");
    const rest = await gw.app.request("/v1/test/default/domains", {
      headers: { authorization: `Bearer ${TOKENS.restricted}` },
    });
    assert.deepEqual((await rest.json()).map((d: { name: string }) => d.name), ["web-1"]);
    assert.deepEqual(
      (await rpc(gw, "connectListAllNetworks", [0], TOKENS.restricted)).body.result,
      [],
    );
  } finally {
    await gw.close();
  }
});

Deno.test("per-object rules: mutations outside the rules are refused before the driver runs", async () => {
  const gw = await startGateway();
  try {
    const before = await snapshot(gw);
    const destroy = await rpc(gw, "domainDestroyFlags", [TEST_DOM, 0], TOKENS.restricted);
    assert.equal(destroy.status, 403);
    const define = await rpc(gw, "domainDefineXMLFlags", [domainXml("db-2"), 0], TOKENS.restricted);
    assert.equal(define.status, 403);
    const restore = await rpc(gw, "domainRestoreFlags", ["/tmp/x", null, 0], TOKENS.restricted);
    assert.equal(restore.status, 403);
    assert.equal(await snapshot(gw), before);
    const ok = await rpc(gw, "domainDefineXMLFlags", [domainXml("web-2"), 0], TOKENS.restricted);
    assert.equal(ok.status, 200);
    const start = await rpc(gw, "domainCreateWithFlags", [ok.body.result, 0], TOKENS.restricted);
    assert.equal(start.status, 200);
  } finally {
    await gw.close();
  }
});

Deno.test("RPC socket: per-object rules filter lists, lookups and events", async () => {
  const gw = await startGateway();
  const server = await serveGateway(gw);
  try {
    const web = await rawRpcSocket(server.port, TOKENS.restricted);
    const full = await rawRpcSocket(server.port, TOKENS.full);
    for (const s of [web, full]) {
      assert.deepEqual((await s.request({ subscribe: null })).error, undefined);
    }
    for (const name of ["web-1", "db-1"]) {
      await rpc(gw, "domainDefineXMLFlags", [domainXml(name), 0], TOKENS.full);
    }
    const all = await web.call("connectListAllDomains", [0]);
    assert.deepEqual((all.result as { name: string }[]).map((d) => d.name), ["web-1"]);
    const hidden = await web.call("domainLookupByName", ["db-1"]);
    assert.equal(hidden.error?.codeName, "VIR_ERR_ACCESS_DENIED");
    const destroy = await web.call("domainDestroyFlags", [TEST_DOM, 0]);
    assert.equal(destroy.error?.codeName, "VIR_ERR_ACCESS_DENIED");
    await rpc(gw, "domainDefineXMLFlags", [domainXml("web-2"), 0], TOKENS.full);
    // The driver emits events on its own schedule: wait for all three to reach the full caller.
    for (let i = 0; i < 200 && full.events.length < 3; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.equal(full.events.length, 3);
    const names = web.events.map((e) => (e.event.ref as { name: string }).name);
    assert.deepEqual(names, ["web-1", "web-2"]);
    full.close();
    web.close();
  } finally {
    await server.close();
    await gw.close();
  }
});

Deno.test("event streams only carry events about objects the caller may see", async () => {
  const gw = await startGateway();
  const open = async (token: string) => {
    const res = await gw.app.request("/v1/test/default/events", {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 200);
    const abort = new AbortController();
    const seen: string[] = [];
    const ready = Promise.withResolvers<void>();
    const done = (async () => {
      for await (const m of parseSse(res.body!, abort.signal)) {
        if (m.event === "ready") ready.resolve();
        if (m.event === "event") seen.push(JSON.parse(m.data).ref.name);
      }
    })();
    await ready.promise;
    return { seen, stop: () => (abort.abort(), done) };
  };
  try {
    const full = await open(TOKENS.full);
    const restricted = await open(TOKENS.restricted);
    for (const name of ["web-1", "db-1"]) {
      await rpc(gw, "domainDefineXMLFlags", [domainXml(name), 0], TOKENS.full);
    }
    await rpc(gw, "domainDestroyFlags", [TEST_DOM, 0], TOKENS.full);
    await new Promise((r) => setTimeout(r, 50));
    await full.stop();
    await restricted.stop();
    assert.deepEqual(full.seen, ["web-1", "db-1", "test"]);
    assert.deepEqual(restricted.seen, ["web-1"]);
  } finally {
    await gw.close();
  }
});
