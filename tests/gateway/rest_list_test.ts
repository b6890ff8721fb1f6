// REST lists people can read: state names beside numbers and a summary per object,
// `?recursion=1` full definitions, `?state=` and `?name=` filters; and event streams that name
// their numbers.
import assert from "node:assert/strict";
import { domainXml, startGateway, TOKENS } from "./helpers.ts";
import { globRegExp } from "../../gateway/rest_list.ts";

const BASE = "/v1/test/default";
const AUTH = { authorization: `Bearer ${TOKENS.full}` };

Deno.test("lists carry state names and summaries, filter by state and name, recurse", async () => {
  const gw = await startGateway();
  const get = async (path: string) => {
    const res = await gw.app.request(`${BASE}${path}`, { headers: AUTH });
    return { status: res.status, body: await res.json() };
  };
  try {
    for (const name of ["web-1", "web-2", "db-1"]) {
      const res = await gw.app.request(`${BASE}/domains`, {
        method: "POST",
        headers: { ...AUTH, "content-type": "application/xml" },
        body: domainXml(name),
      });
      assert.equal(res.status, 201);
    }
    await gw.app.request(`${BASE}/domains/web-2/start`, { method: "POST", headers: AUTH });

    const all = (await get("/domains")).body as Record<string, unknown>[];
    const test = all.find((d) => d.name === "test")!;
    assert.deepEqual([test.state, test.stateName], [1, "running"]);
    assert.deepEqual(Object.keys(test.info as object).sort(), [
      "cpuTime",
      "maxMem",
      "memory",
      "nrVirtCpu",
      "state",
    ]);
    const names = (items: { name: string }[]) => items.map((d) => d.name).sort();
    assert.deepEqual(names((await get("/domains?state=running")).body), ["test", "web-2"]);
    assert.deepEqual(names((await get("/domains?name=web-*")).body), ["web-1", "web-2"]);
    assert.deepEqual(
      names((await get("/domains?state=running&name=web-*")).body),
      ["web-2"],
    );
    assert.deepEqual(names((await get("/domains?state=shutoff,paused")).body), ["db-1", "web-1"]);

    const bad = await get("/domains?state=up");
    assert.equal(bad.status, 400);
    assert.equal(
      bad.body.message,
      "invalid argument: unknown domain state 'up' (known: nostate, running, blocked, paused, " +
        "shutdown, shutoff, crashed, pmsuspended)",
    );
    assert.equal((await get("/domains?recursion=2")).status, 400);

    const full = (await get("/domains?recursion=1&name=web-1")).body;
    assert.equal(full.length, 1);
    assert.equal(full[0].stateName, "shutoff");
    assert.equal(full[0].definition.name, "web-1");
    assert.equal(full[0].definition.memory.total, 65536);

    const nets = (await get("/networks")).body;
    assert.deepEqual(nets.map((n: Record<string, unknown>) => [n.name, n.active, n.stateName]), [
      ["default", true, "active"],
    ]);
    const pools = (await get("/pools?state=running")).body;
    assert.deepEqual(pools.map((p: Record<string, unknown>) => [p.name, p.stateName]), [
      ["default-pool", "running"],
    ]);
    const one = (await get("/domains/test")).body;
    assert.equal(one.stateName, "running");
  } finally {
    await gw.close();
  }
});

Deno.test("a name filter is a shell glob, nothing more", () => {
  assert.ok(globRegExp("web-*").test("web-12"));
  assert.ok(!globRegExp("web-*").test("xweb-1"));
  assert.ok(globRegExp("db-?").test("db-1"));
  assert.ok(!globRegExp("a.b").test("axb"));
  assert.ok(globRegExp("(x)+").test("(x)+"));
});

Deno.test("event streams name the numbers: id, lifecycle event and detail", async () => {
  const gw = await startGateway();
  try {
    const stream = await gw.app.request(`${BASE}/events`, { headers: AUTH });
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("event: ready")) text += (await reader.read()).value;
    await gw.app.request(`${BASE}/domains/test/suspend`, { method: "POST", headers: AUTH });
    while (!/event: event\ndata: .*\n\n/.test(text)) text += (await reader.read()).value;
    const data = JSON.parse(/event: event\ndata: (.*)\n/.exec(text)![1]);
    assert.deepEqual(data.data, { event: 3, detail: 0 });
    assert.deepEqual(data.names, { eventId: "lifecycle", event: "suspended", detail: "paused" });
    await reader.cancel();
  } finally {
    await gw.close();
  }
});
