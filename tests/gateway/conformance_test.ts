// The conformance scenarios through a real gateway socket: `deno task scenario --uri
// test+http://…` must print what the in-process run prints. Each scenario gets a fresh gateway
// (a fresh test:///default), as each scenario.py run gets a fresh libvirtd connection.
//
// Selected scenarios: those on test:///default (node-file URIs are not served by the gateway)
// without `reopen`. A gateway keeps one driver connection per URI open for all its clients, so
// a client's close-and-reopen cannot reset test:///default the way closing the last libvirtd
// client does; that difference is by design and reported, not hidden.
import assert from "node:assert/strict";
import { scenarioLines } from "../tools/scenario/runner.ts";
import { startGateway, TOKENS } from "./helpers.ts";

const dir = new URL("../conformance/", import.meta.url);
const uris: Record<string, string> = JSON.parse(
  await Deno.readTextFile(new URL("uris.json", dir)),
);
const scenarios: [string, string][] = [];
for (
  const e of [...Deno.readDirSync(new URL("scenarios/", dir))].sort((a, b) =>
    a.name < b.name ? -1 : 1
  )
) {
  const name = e.name.replace(/\.json$/, "");
  const text = await Deno.readTextFile(new URL(`scenarios/${e.name}`, dir));
  if (!uris[name] && !text.includes('"reopen"')) scenarios.push([name, text]);
}

Deno.test(`${scenarios.length} conformance scenarios: gateway output equals in-process output`, async (t) => {
  assert.ok(scenarios.length >= 30, `only ${scenarios.length} scenarios selected`);
  // The scenario runner opens its URI without options: the token comes from the environment.
  Deno.env.set("EDGEVIRT_TOKEN", TOKENS.full);
  try {
    for (const [name, text] of scenarios) {
      await t.step(name, async () => {
        const local = await scenarioLines(text, { uri: "test:///default" });
        const gw = await startGateway();
        const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, gw.fetch);
        try {
          const uri = `test+http://127.0.0.1:${server.addr.port}/default`;
          const remote = await scenarioLines(text, { uri, settleMs: 20 });
          // The header names the URI; every line after it must be identical.
          assert.deepEqual(remote.slice(1), local.slice(1));
        } finally {
          gw.endStreams();
          await server.shutdown();
          await gw.close();
        }
      });
    }
  } finally {
    Deno.env.delete("EDGEVIRT_TOKEN");
  }
});
