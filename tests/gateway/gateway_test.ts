// The gateway in-process through app.request(): RPC, REST, errors and their HTTP status,
// limits, OpenAPI, and malformed requests that must change nothing.
import assert from "node:assert/strict";
import { domainXml, rpc, snapshot, startGateway, TOKENS } from "./helpers.ts";

const auth = { authorization: `Bearer ${TOKENS.full}` };

Deno.test("GET / describes the API, the served drivers and extensions", async () => {
  const gw = await startGateway();
  try {
    const body = await (await gw.app.request("/")).json();
    assert.equal(body.api, "v1");
    assert.deepEqual(body.drivers.map((d: { path: string }) => d.path), ["test/default"]);
    assert.ok(body.extensions.includes("events-sse"));
  } finally {
    await gw.close();
  }
});

Deno.test("RPC calls return {result}; void calls return {}", async () => {
  const gw = await startGateway();
  try {
    const list = await rpc(gw, "connectListAllDomains", [0], TOKENS.full);
    assert.equal(list.status, 200);
    const [test] = list.body.result as { name: string; id: number }[];
    assert.equal(test.name, "test");
    const r = await rpc(gw, "domainSuspend", [test], TOKENS.full);
    assert.deepEqual([r.status, r.body], [200, {}]);
    const state = await rpc(gw, "domainGetState", [test, 0], TOKENS.full);
    assert.deepEqual(state.body.result, [3, 1]);
  } finally {
    await gw.close();
  }
});

Deno.test("libvirt errors come back as JSON with a fitting status", async () => {
  const gw = await startGateway();
  try {
    const missing = await rpc(gw, "domainLookupByName", ["nope"], TOKENS.full);
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, {
      code: 42,
      codeName: "VIR_ERR_NO_DOMAIN",
      domain: 12,
      domainName: "VIR_FROM_TEST",
      message: "Domain not found",
    });
    const [test] = (await rpc(gw, "connectListAllDomains", [0], TOKENS.full)).body.result as [
      unknown,
    ];
    const tooMany = await rpc(gw, "domainSetVcpusFlags", [test, 999, 0], TOKENS.full);
    assert.equal(tooMany.status, 400);
    assert.equal(tooMany.body.codeName, "VIR_ERR_INVALID_ARG");
    const running = await rpc(gw, "domainCreateWithFlags", [test, 0], TOKENS.full);
    assert.equal(running.status, 409);
    assert.equal(running.body.message, "internal error: Domain 'test' is already running");
  } finally {
    await gw.close();
  }
});

Deno.test("unknown and non-contract method names are 404 and never reach the driver", async () => {
  const gw = await startGateway();
  try {
    for (const name of ["nope", "constructor", "__proto__", "toString", "subscribe", "type"]) {
      const r = await rpc(gw, name, [], TOKENS.full);
      assert.equal(r.status, 404, name);
      assert.match(r.body.message as string, /unknown procedure/);
    }
    // Closing the shared driver connection is not a client's call to make.
    assert.equal((await rpc(gw, "connectClose", [], TOKENS.full)).status, 404);
  } finally {
    await gw.close();
  }
});

Deno.test("malformed requests get a clear 400 and change nothing", async () => {
  const gw = await startGateway();
  try {
    const before = await snapshot(gw);
    const cases: [string, unknown][] = [
      ["domainDefineXMLFlags", "{not json"],
      ["domainDefineXMLFlags", { xml: domainXml("x") }],
      ["domainDefineXMLFlags", [domainXml("x")]],
      ["domainDefineXMLFlags", [domainXml("x"), 0, 1]],
      ["domainDefineXMLFlags", [42, 0]],
      ["domainSuspend", [{ name: "test" }]],
      ["domainSetVcpusFlags", [{ name: "test", uuid: "u", id: 1 }, "2", 0]],
      ["domainSetSchedulerParametersFlags", [{ name: "test", uuid: "u", id: 1 }, { a: [] }, 0]],
    ];
    for (const [method, args] of cases) {
      const r = await rpc(gw, method, args, TOKENS.full);
      assert.equal(r.status, 400, `${method} ${JSON.stringify(args)}`);
      assert.equal(r.body.codeName, "VIR_ERR_INVALID_ARG");
      assert.match(r.body.message as string, new RegExp(method));
    }
    assert.equal(await snapshot(gw), before);
  } finally {
    await gw.close();
  }
});

Deno.test("bodies over the limit are refused with 413", async () => {
  const gw = await startGateway({ maxBodyBytes: 1024 });
  try {
    const r = await rpc(gw, "domainDefineXMLFlags", [domainXml("x".repeat(2000)), 0], TOKENS.full);
    assert.equal(r.status, 413);
    assert.equal((await rpc(gw, "connectNumOfDefinedDomains", [], TOKENS.full)).body.result, 0);
  } finally {
    await gw.close();
  }
});

Deno.test("a call that outlives the deadline gets OPERATION_TIMEOUT (504)", async () => {
  const gw = await startGateway({ callTimeoutMs: 1 });
  const { driver } = await gw.served.get("test/default")!.session();
  const original = driver.connectGetHostname;
  driver.connectGetHostname = () => new Promise((r) => setTimeout(() => r("late"), 50));
  try {
    const r = await rpc(gw, "connectGetHostname", [], TOKENS.full);
    assert.equal(r.status, 504);
    assert.equal(r.body.codeName, "VIR_ERR_OPERATION_TIMEOUT");
  } finally {
    driver.connectGetHostname = original;
    await new Promise((r) => setTimeout(r, 60));
    await gw.close();
  }
});

Deno.test("bounded concurrency: beyond the queue the gateway answers 503", async () => {
  const gw = await startGateway({ maxConcurrent: 1, maxQueued: 1 });
  const { driver } = await gw.served.get("test/default")!.session();
  const original = driver.connectGetHostname;
  // Held until one call has been refused: however the three arrive, one runs, one waits and
  // the third finds the queue full (a fixed delay let the first end before a late third came).
  let release = () => {};
  const held = new Promise<void>((r) => release = r);
  driver.connectGetHostname = () => held.then(() => "slow");
  try {
    const calls = [1, 2, 3].map(() => rpc(gw, "connectGetHostname", [], TOKENS.full));
    const first = await Promise.race(calls);
    assert.equal(first.status, 503);
    release();
    const results = await Promise.all(calls);
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 200, 503]);
  } finally {
    driver.connectGetHostname = original;
    await gw.close();
  }
});

Deno.test("REST: define, get JSON and XML, act, list, delete a domain", async () => {
  const gw = await startGateway();
  const base = "/v1/test/default/domains";
  try {
    const created = await gw.app.request(base, {
      method: "POST",
      headers: { ...auth, "content-type": "application/xml" },
      body: domainXml("rest1"),
    });
    assert.equal(created.status, 201);
    assert.equal((await created.json()).name, "rest1");
    const one = await (await gw.app.request(`${base}/rest1`, { headers: auth })).json();
    assert.deepEqual([one.name, one.id, one.info.state], ["rest1", -1, 5]);
    const xml = await gw.app.request(`${base}/rest1`, {
      headers: { ...auth, accept: "application/xml" },
    });
    assert.match(xml.headers.get("content-type")!, /application\/xml/);
    assert.match(await xml.text(), /<name>rest1<\/name>/);
    const start = await gw.app.request(`${base}/rest1/start`, { method: "POST", headers: auth });
    assert.equal(start.status, 200);
    const list = await (await gw.app.request(base, { headers: auth })).json();
    assert.deepEqual(list.map((d: { name: string }) => d.name).sort(), ["rest1", "test"]);
    const busy = await gw.app.request(`${base}/rest1`, { method: "DELETE", headers: auth });
    assert.equal(busy.status, 204); // undefining a running domain makes it transient
    const stop = await gw.app.request(`${base}/rest1/destroy`, { method: "POST", headers: auth });
    assert.equal(stop.status, 200);
    const gone = await gw.app.request(`${base}/rest1`, { headers: auth });
    assert.equal(gone.status, 404);
    const bad = await gw.app.request(`${base}/test/explode`, { method: "POST", headers: auth });
    assert.equal(bad.status, 404);
    const invalidModel = await gw.app.request(base, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(invalidModel.status, 400);
  } finally {
    await gw.close();
  }
});

Deno.test("REST: networks, pools, volumes and the node", async () => {
  const gw = await startGateway();
  const base = "/v1/test/default";
  try {
    const nets = await (await gw.app.request(`${base}/networks`, { headers: auth })).json();
    assert.deepEqual(nets.map((n: { name: string }) => n.name), ["default"]);
    const pools = await (await gw.app.request(`${base}/pools`, { headers: auth })).json();
    assert.ok(pools.length >= 1);
    const vols = await gw.app.request(`${base}/pools/${pools[0].name}/volumes`, {
      headers: auth,
    });
    assert.equal(vols.status, 200);
    assert.ok(Array.isArray(await vols.json()));
    const node = await (await gw.app.request(`${base}/node`, { headers: auth })).json();
    assert.equal(node.type, "TEST");
    assert.equal(node.info.cpus, 16);
  } finally {
    await gw.close();
  }
});

Deno.test("OpenAPI 3.1 document lists every callable method with its argument schema", async () => {
  const gw = await startGateway();
  try {
    const doc = await (await gw.app.request("/v1/openapi.json")).json();
    assert.equal(doc.openapi, "3.1.0");
    const op = doc.paths["/v1/test/default/call/domainSetVcpusFlags"].post;
    assert.equal(op.operationId, "test.default.domainSetVcpusFlags");
    const schema = op.requestBody.content["application/json"].schema;
    assert.deepEqual(schema.prefixItems, [
      { $ref: "#/components/schemas/DomainRef", title: "domain" },
      { type: "integer", minimum: 0, maximum: 2 ** 32 - 1, title: "nvcpus" },
      { type: "integer", minimum: 0, maximum: 2 ** 32 - 1, title: "flags" },
    ]);
    assert.equal(doc.paths["/v1/test/default/call/connectClose"], undefined);
    assert.ok(doc.paths["/v1/test/default/domains/{name}"].delete);
  } finally {
    await gw.close();
  }
});
