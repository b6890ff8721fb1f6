/**
 * Conformance with real libvirt 9.0: every scenario in scenarios/ runs in-process through the
 * TypeScript scenario runner and must print, byte for byte, the golden lines that the oracle's
 * scenario.py (with tests/tools/scenario_ext.py) printed against libvirt
 * (tests/tools/record_goldens.sh). The header line is compared too. Node-file URIs embed the
 * absolute path of nodes/, which the goldens store as "{nodes}"; the runner's lines get the same
 * substitution, so the checkout may live anywhere.
 * @module
 */
import { strictEqual } from "node:assert";
import { scenarioLines } from "../tools/scenario/runner.ts";

const here = new URL(".", import.meta.url);
const nodesDir = new URL("nodes", here).pathname;
const uris: Record<string, string> = JSON.parse(
  await Deno.readTextFile(new URL("uris.json", here)),
);

const names = [...Deno.readDirSync(new URL("scenarios/", here))]
  .filter((e) => e.name.endsWith(".json"))
  .map((e) => e.name.slice(0, -".json".length))
  .sort();

/** The first line where the two outputs differ, for a readable failure. */
function firstDifference(actual: string[], expected: string[]): string {
  const n = Math.max(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    if (actual[i] !== expected[i]) {
      return `line ${i + 1}:\n  edgevirt: ${actual[i] ?? "(missing)"}\n  libvirt:  ${
        expected[i] ?? "(missing)"
      }`;
    }
  }
  return "identical";
}

Deno.test("scenarios match libvirt 9.0 goldens", async (t) => {
  for (const name of names) {
    await t.step(name, async () => {
      const text = await Deno.readTextFile(new URL(`scenarios/${name}.json`, here));
      const golden = await Deno.readTextFile(new URL(`golden/${name}.jsonl`, here));
      const uri = (uris[name] ?? "test:///default").replaceAll("{nodes}", nodesDir);
      const lines = (await scenarioLines(text, { uri }))
        .map((l) => l.replaceAll(nodesDir, "{nodes}"));
      const expected = golden.split("\n").slice(0, -1);
      strictEqual(
        firstDifference(lines, expected),
        "identical",
        `${name}: output differs from libvirt`,
      );
    });
  }
});
