// Events before replies: through the gateway, the events a call causes reach the caller's
// `eventRegisterAny` callbacks and `conn.events()` loop before the awaited call resolves, over
// the RPC WebSocket, HTTP sessions on TCP and the unix socket, as they do through libvirtd.
// The lifecycle scenarios then print libvirt's lines even when the runner collects an op's
// events without giving them a single macrotask turn.
import assert from "node:assert/strict";
import { hostDrivers } from "../../host.ts";
import { connect, type Connection, VIR } from "../../mod.ts";
import { EVENT_MARK_HEADER } from "../../protocol/event_id.ts";
import { scenarioLines } from "../tools/scenario/runner.ts";
import { createGateway } from "../../gateway/app.ts";
import { EventLog } from "../../gateway/event_log.ts";
import { markEvents } from "../../gateway/event_stream.ts";
import {
  domainXml,
  RESTRICTED_RULES,
  serveGateway,
  sessionRequest,
  startGateway,
  TOKENS,
} from "./helpers.ts";

const LIFECYCLE_SCENARIOS = [
  "events",
  "lc-actions",
  "lc-flags",
  "lc-ids",
  "lc-transient",
  "lifecycle",
  "managedsave",
  "save-restore",
  "suspend-resume",
];

const E = VIR;

/** The channels a client reaches the gateway by. */
function channels(port: number, socket: string): [string, string, Record<string, unknown>][] {
  return [
    ["websocket", `test+http://127.0.0.1:${port}/default`, { channel: "websocket" }],
    ["http", `test+http://127.0.0.1:${port}/default`, { channel: "http" }],
    ["unix", `test+unix:///default?socket=${socket}`, {}],
  ];
}

/** Lifecycle events as `name:event`, from a callback and from a `conn.events()` loop. */
function watch(conn: Connection, signal: AbortSignal): { callback: string[]; loop: string[] } {
  const seen = { callback: [] as string[], loop: [] as string[] };
  const label = (ev: { object: unknown; data: Record<string, unknown> }) =>
    `${(ev.object as { name: string }).name}:${ev.data.event}`;
  conn.domainEventRegisterAny(null, E.DOMAIN_EVENT_ID_LIFECYCLE, (ev) => {
    seen.callback.push(label(ev));
  });
  (async () => {
    const filter = { family: "domain" as const, eventId: E.DOMAIN_EVENT_ID_LIFECYCLE };
    for await (const ev of conn.events(filter, signal)) seen.loop.push(label(ev));
  })();
  return seen;
}

Deno.test("an op's events reach callbacks and conn.events() before the op resolves", async (t) => {
  const gw = await startGateway();
  const server = await serveGateway(gw, { unix: true });
  try {
    for (const [name, uri, options] of channels(server.port, server.socket!)) {
      await t.step(name, async () => {
        const conn = await connect(uri, { token: TOKENS.full, ...options });
        const ac = new AbortController();
        const seen = watch(conn, ac.signal);
        // Let the events() loop start listening: it subscribes on its first `next()`.
        await new Promise((r) => setTimeout(r, 0));
        const expect = (...events: string[]) => {
          assert.deepEqual(seen.callback, events);
          assert.deepEqual(seen.loop, events);
          seen.callback.length = seen.loop.length = 0;
        };
        try {
          const dom = await conn.lookupDomainByName("test");
          for (let i = 0; i < 20; i++) {
            await dom.suspend();
            expect(`test:${E.DOMAIN_EVENT_SUSPENDED}`);
            await dom.resume();
            expect(`test:${E.DOMAIN_EVENT_RESUMED}`);
          }
          const d = await conn.defineXML(domainXml(`order-${name}`));
          expect(`order-${name}:${E.DOMAIN_EVENT_DEFINED}`);
          await d.create();
          expect(`order-${name}:${E.DOMAIN_EVENT_STARTED}`);
          await d.destroy();
          expect(`order-${name}:${E.DOMAIN_EVENT_STOPPED}`);
          await d.undefine();
          expect(`order-${name}:${E.DOMAIN_EVENT_UNDEFINED}`);
          // A call that causes no event answers with nothing to wait for.
          await conn.listAllDomains();
          expect();
        } finally {
          ac.abort();
          await conn.close();
        }
      });
    }
  } finally {
    await server.close();
    await gw.close();
  }
});

Deno.test("events another session causes arrive in order on every channel", async () => {
  const gw = await startGateway();
  const server = await serveGateway(gw, { unix: true });
  const conns: Connection[] = [];
  try {
    const watchers = [];
    const ac = new AbortController();
    for (const [, uri, options] of channels(server.port, server.socket!)) {
      const conn = await connect(uri, { token: TOKENS.full, ...options });
      conns.push(conn);
      watchers.push(watch(conn, ac.signal));
    }
    await new Promise((r) => setTimeout(r, 0));
    const actor = await connect(`test+http://127.0.0.1:${server.port}/default`, {
      token: TOKENS.full,
    });
    conns.push(actor);
    const dom = await actor.lookupDomainByName("test");
    const want: string[] = [];
    for (let i = 0; i < 10; i++) {
      await dom.suspend();
      await dom.resume();
      want.push(`test:${E.DOMAIN_EVENT_SUSPENDED}`, `test:${E.DOMAIN_EVENT_RESUMED}`);
    }
    // Another session's events carry no promise about this caller's replies: wait for them.
    for (let i = 0; i < 200 && watchers.some((w) => w.loop.length < want.length); i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    for (const w of watchers) assert.deepEqual(w, { callback: want, loop: want });
    ac.abort();
  } finally {
    for (const c of conns) await c.close();
    await server.close();
    await gw.close();
  }
});

Deno.test("an HTTP call's answer names the newest event it caused that the caller may see", async () => {
  const gw = await startGateway();
  try {
    const open = await sessionRequest(gw, "POST", "", { uri: "test:///default" }, TOKENS.full);
    const call = async (method: string, args: unknown[]) => {
      const res = await gw.app.request(`/v1/sessions/${open.body.session}/call/${method}`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKENS.full}`, "content-type": "application/json" },
        body: JSON.stringify(args),
      });
      const body = await res.json();
      assert.equal(res.status, 200, JSON.stringify(body));
      return { mark: res.headers.get(EVENT_MARK_HEADER), result: body.result };
    };
    const defined = await call("domainDefineXMLFlags", [domainXml("web-1"), 0]);
    assert.match(defined.mark ?? "", /^\w+\.1$/);
    assert.equal((await call("connectListAllDomains", [0])).mark, null);
    const undefined_ = await call("domainUndefineFlags", [defined.result, 0]);
    assert.equal(undefined_.mark, defined.mark!.replace(/1$/, "2"));
    await sessionRequest(gw, "DELETE", `/${open.body.session}`, undefined, TOKENS.full);
  } finally {
    await gw.close();
  }
  // Events the caller may not see are never named: its stream will not deliver them.
  const log = new EventLog(16);
  const restricted = { name: "web", role: "full" as const, rules: RESTRICTED_RULES };
  const lifecycle = (name: string) => ({
    family: "domain" as const,
    eventId: E.DOMAIN_EVENT_ID_LIFECYCLE,
    ref: { name, uuid: crypto.randomUUID(), id: -1 },
    data: { event: E.DOMAIN_EVENT_DEFINED, detail: 0 },
  });
  const mark = (...names: string[]) =>
    markEvents(log, restricted, () => {
      for (const n of names) log.push(lifecycle(n));
      return Promise.resolve(new Response("{}"));
    }).then((res) => res.headers.get(EVENT_MARK_HEADER));
  assert.equal(await mark("web-1", "other"), `${log.boot}.1`);
  assert.equal(await mark("other"), null);
  assert.equal(await mark("other", "web-2", "other"), `${log.boot}.5`);
});

Deno.test("lifecycle scenarios: an op's events are in its line without a macrotask turn", async (t) => {
  // The runner opens its URI without a token: a gateway without authentication (a token from
  // the environment would race with other test files that set it).
  const gw = await createGateway({
    drivers: ["test:///default"],
    auth: "none",
    registry: hostDrivers(),
  });
  const server = await serveGateway(gw, { unix: true });
  try {
    for (const name of LIFECYCLE_SCENARIOS) {
      const text = await Deno.readTextFile(
        new URL(`../conformance/scenarios/${name}.json`, import.meta.url),
      );
      await t.step(name, async () => {
        const local = await scenarioLines(text, { uri: "test:///default" });
        assert.ok(local.some((l) => /"events": \[\[/.test(l)), "the scenario has no events");
        for (
          const uri of [
            `test+http://127.0.0.1:${server.port}/default`,
            `test+unix:///default?socket=${server.socket}`,
          ]
        ) {
          const remote = await scenarioLines(text, { uri, eventTurns: 0 });
          assert.deepEqual(remote.slice(1), local.slice(1), uri);
        }
      });
    }
  } finally {
    await server.close();
    await gw.close();
  }
});
