/**
 * The scenario runner answers a large domain memory peek (1 MiB, as the generated API sequences
 * ask for) as scenario.py prints libvirt's answer: the test driver's bytes (testDomainMemoryPeek
 * counts up from the start offset, wrapping at 256) as latin-1 text. Spreading the bytes into
 * one call overflowed the stack (found on the unseen `apigen-fresh-14` seed; too large a line
 * for a golden file).
 * @module
 */
import assert from "node:assert/strict";
import { scenarioLines } from "../tools/scenario/runner.ts";

Deno.test("a 1 MiB memory peek comes back whole, as scenario.py prints it", async () => {
  const [start, size] = [4096 + 7, 1 << 20];
  const op = { op: "memoryPeek", name: "test", args: [start, size], flags: ["VIR_MEMORY_VIRTUAL"] };
  const lines = await scenarioLines(JSON.stringify([op]), { uri: "test:///default" });
  const got = JSON.parse(lines[1]);
  assert.equal(got.ok, true, lines[1].slice(0, 300));
  const want = Array.from({ length: size }, (_, i) => String.fromCharCode((start + i) & 0xff));
  assert.equal(got.result, want.join(""));
});
