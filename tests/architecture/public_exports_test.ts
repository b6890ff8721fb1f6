// The public faces stay as intended: what each entry point exports (names and kinds, from
// `deno doc --json`) equals the committed list in public_exports.json, and the portable client
// (mod.ts) loads no driver, gateway, Node or npm module. An export added or removed on purpose
// is a change to the JSON file in the same commit.
import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO_ROOT } from "../paths.ts";

const ENTRY_POINTS = ["mod.ts", "host.ts", "driver_kit.ts"];
const EXPECTED_FILE = join(REPO_ROOT, "tests/architecture/public_exports.json");

async function denoJson(args: string[]): Promise<unknown> {
  const out = await new Deno.Command(Deno.execPath(), { args, cwd: REPO_ROOT, stderr: "piped" })
    .output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

interface DocNode {
  name: string;
  declarations: { kind: string }[];
}

/** `name: kind` for every export of an entry point, sorted. */
async function exportsOf(entry: string): Promise<string[]> {
  const doc = await denoJson(["doc", "--json", entry]) as {
    nodes: Record<string, { symbols: DocNode[] }>;
  };
  const symbols = Object.values(doc.nodes).flatMap((n) => n.symbols);
  return symbols.map((s) => `${s.name}: ${[...new Set(s.declarations.map((d) => d.kind))]}`)
    .sort();
}

Deno.test("each entry point exports exactly the committed list", async () => {
  const expected = JSON.parse(await Deno.readTextFile(EXPECTED_FILE)) as Record<string, string[]>;
  const actual: Record<string, string[]> = {};
  for (const entry of ENTRY_POINTS) actual[entry] = await exportsOf(entry);
  if (Deno.env.get("EDGEVIRT_UPDATE_EXPORTS") === "1") {
    await Deno.writeTextFile(EXPECTED_FILE, JSON.stringify(actual, null, 2) + "\n");
  }
  assert.deepEqual(actual, expected);
});

Deno.test("mod.ts is the portable client: no driver, gateway, host, Node or npm module", async () => {
  const info = await denoJson(["info", "--json", "mod.ts"]) as {
    modules: { specifier: string }[];
  };
  const root = new URL(`file://${REPO_ROOT}/`).href;
  const loaded = info.modules.map((m) => m.specifier.replace(root, ""));
  assert.ok(loaded.includes("client/connect.ts"), loaded.join("\n"));
  const foreign = loaded.filter((s) =>
    /^(drivers|gateway|conf|tools)\//.test(s) || s === "host.ts" || /^(node|npm|jsr):/.test(s)
  );
  assert.deepEqual(foreign, []);
});
