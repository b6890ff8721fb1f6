/**
 * Differential test on generated API sequences (`tests/tools/apigen/`): libvirt 9.0's output
 * for 2,000 seeded random ops, recorded by `tests/tools/apigen/record.sh`, is replayed
 * in-process through the TypeScript scenario runner and compared line by line. Every op must
 * answer as libvirt did (byte for byte, or the same list where libvirt's order is its random
 * hash order) except those listed in `generated/known_differences.json`, each with its reason,
 * and each of those must still differ, so the list (and the identical share) only shrinks.
 * `deno run -A tests/tools/apigen/compare.ts` prints the figures and the differences.
 * @module
 */
import assert from "node:assert/strict";
import { replay } from "../tools/apigen/compare.ts";
import { fileName, FILES, generateFile, OPS_PER_FILE, SEED } from "../tools/apigen/generate.ts";
import { readGenerated } from "../tools/apigen/recording.ts";

const here = new URL("generated/", import.meta.url);
const rows = await readGenerated(new URL("recorded.jsonl.gz", here));
/** Op id (`gen-NNN:i`) → why edgevirt still answers differently. */
const KNOWN: Record<string, string> = JSON.parse(
  await Deno.readTextFile(new URL("known_differences.json", here)),
);

/**
 * Identical ops (of 2,000): all but 2 interfaceStats, whose counters libvirt's test driver draws
 * from the clock (unstable in its own runs).
 */
const MEASURED = 1998;

Deno.test("the recording holds every generated file, as the generator makes it today", () => {
  assert.deepEqual(rows.map((r) => r.name), Array.from({ length: FILES }, (_, i) => fileName(i)));
  for (const [i, r] of rows.entries()) {
    // scenario.py's masking depends on the exact text: compare the ops, not the layout
    assert.deepEqual(JSON.parse(r.scenario), generateFile(SEED, i, OPS_PER_FILE), r.name);
    assert.equal(r.lines.length, OPS_PER_FILE + 1, `${r.name}: a header and a line per op`);
  }
});

Deno.test("generated API sequences: edgevirt answers like libvirt 9.0 but for the known differences", async () => {
  const results = await replay(rows);
  assert.equal(results.length, FILES * OPS_PER_FILE);
  const differing = results.filter((r) => !r.same && !r.unstable);
  assert.deepEqual(
    differing.filter((r) => !(r.id in KNOWN)).map((r) =>
      `${r.id} ${r.op}\n  libvirt:  ${r.expected}\n  edgevirt: ${r.actual}`
    ),
    [],
    "new differences from libvirt",
  );
  const ids = new Set(differing.map((r) => r.id));
  assert.deepEqual(
    Object.keys(KNOWN).filter((id) => !ids.has(id)),
    [],
    "listed as known differences but identical now: remove them from known_differences.json",
  );
  // libvirt's own unstable answers (clock values) must still fail or succeed alike
  const unstable = results.filter((r) => r.unstable && !r.same && !r.sameError);
  assert.deepEqual(unstable.map((r) => r.id), [], "unstable ops with another error");
  assert.ok(results.filter((r) => r.same).length >= MEASURED, "fewer identical ops than measured");
});
