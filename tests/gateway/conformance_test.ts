// All conformance scenarios through a real gateway socket: `deno task scenario --uri
// test+http://…` must print what the in-process run prints, over the RPC WebSocket and over
// the unix socket (HTTP sessions with SSE events), and the scenarios that reopen or use node
// files over HTTP sessions on TCP too. No settle delay anywhere: an op's events arrive before
// its result through the gateway, as through libvirtd. One gateway serves every scenario, as
// one libvirtd serves every scenario.py run: each run's connection is a session of its own, so
// test:///default starts afresh once the previous run's session is gone and `reopen` resets it
// in the middle of a run, and node-file URIs (`test+http://host/ABS/PATH.xml`) open on the
// gateway's host.
import assert from "node:assert/strict";
import { scenarioLines } from "../tools/scenario/runner.ts";
import { serveGateway, startGateway, TOKENS } from "./helpers.ts";

const dir = new URL("../conformance/", import.meta.url);
const nodesDir = new URL("nodes", dir).pathname;
const uris: Record<string, string> = JSON.parse(
  await Deno.readTextFile(new URL("uris.json", dir)),
);
const scenarios: { name: string; text: string; uri: string }[] = [];
for (
  const e of [...Deno.readDirSync(new URL("scenarios/", dir))].sort((a, b) =>
    a.name < b.name ? -1 : 1
  )
) {
  const name = e.name.replace(/\.json$/, "");
  const text = await Deno.readTextFile(new URL(`scenarios/${e.name}`, dir));
  const uri = (uris[name] ?? "test:///default").replaceAll("{nodes}", nodesDir);
  scenarios.push({ name, text, uri });
}

/** Runs `fn` as on a runtime without `WebSocket` (Node 20): the client takes HTTP sessions. */
async function withoutWebSocket<T>(fn: () => Promise<T>): Promise<T> {
  const g = globalThis as { WebSocket?: typeof WebSocket };
  const saved = g.WebSocket;
  delete g.WebSocket;
  try {
    return await fn();
  } finally {
    g.WebSocket = saved;
  }
}

/** `test:///x` as the remote URI that makes the gateway open it: path and query unchanged. */
function remoteUri(local: string, port: number): string {
  const u = new URL(local);
  return `test+http://127.0.0.1:${port}${u.pathname}${u.search}`;
}

/** The same over the gateway's unix socket. */
function unixUri(local: string, socket: string): string {
  const u = new URL(local);
  u.searchParams.set("socket", socket);
  return `test+unix://${u.pathname}?${u.searchParams}`;
}

Deno.test(`${scenarios.length} conformance scenarios: gateway output equals in-process output`, async (t) => {
  assert.ok(scenarios.length >= 50, `only ${scenarios.length} scenarios found`);
  assert.ok(scenarios.some((s) => s.text.includes('"reopen"')), "no scenario reopens");
  assert.ok(scenarios.some((s) => s.uri !== "test:///default"), "no scenario uses a node file");
  // The scenario runner opens its URI without options: the token comes from the environment.
  Deno.env.set("EDGEVIRT_TOKEN", TOKENS.full);
  const gw = await startGateway();
  const server = await serveGateway(gw, { unix: true });
  try {
    for (const { name, text, uri } of scenarios) {
      await t.step(name, async () => {
        const local = await scenarioLines(text, { uri });
        const remote = remoteUri(uri, server.port);
        // The header names the URI; every line after it must be identical.
        const ws = await scenarioLines(text, { uri: remote });
        assert.deepEqual(ws.slice(1), local.slice(1));
        // The run closed its session: the gateway holds no connection that would keep
        // test:///default alive into the next run.
        assert.equal(gw.sessions.size, 0);
        const unix = await scenarioLines(text, { uri: unixUri(uri, server.socket!) });
        assert.deepEqual(unix.slice(1), local.slice(1));
        assert.equal(gw.sessions.size, 0);
        if (text.includes('"reopen"') || uri !== "test:///default") {
          const http = await withoutWebSocket(() => scenarioLines(text, { uri: remote }));
          assert.deepEqual(http.slice(1), local.slice(1));
          assert.equal(gw.sessions.size, 0);
        }
      });
    }
  } finally {
    Deno.env.delete("EDGEVIRT_TOKEN");
    await server.close();
    await gw.close();
  }
});
