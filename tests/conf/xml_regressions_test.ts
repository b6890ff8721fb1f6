/**
 * Regression cases of the generated-XML differences fixed in general: each document in
 * `tests/fixtures/xmlgen/regressions/` is the smallest one showing one cause (a check libvirt
 * makes, or the order it makes them in), answered by libvirt 9.0 and recorded by
 * `tests/tools/xmlgen/record_regressions.sh`; edgevirt must answer each identically (the XML byte
 * for byte, or the error's code, domain and message).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { FIXTURES } from "../paths.ts";
import { replay } from "../tools/xmlgen/compare.ts";
import type { Recorded } from "../tools/xmlgen/recording.ts";

const DIR = join(FIXTURES, "xmlgen/regressions");

const answers = (await Deno.readTextFile(join(DIR, "answers.jsonl"))).split("\n")
  .filter((l) => l.trim()).map((l) => JSON.parse(l));

const rows: Recorded[] = await Promise.all(answers.map(async (a) => ({
  id: a.file.replace(/^.*\//, "").replace(/\.xml$/, ""),
  kind: a.kind,
  mutation: null,
  input: await Deno.readTextFile(join(DIR, a.file)),
  ok: a.ok,
  xml: a.xml,
  error: a.error,
})));

Deno.test("every regression document has libvirt's recorded answer", () => {
  const inputs = [...Deno.readDirSync(DIR)].map((e) => e.name).filter((n) => n.endsWith(".xml"));
  assert.deepEqual(rows.map((r) => `${r.id}.xml`).sort(), inputs.sort());
});

Deno.test("regression documents: edgevirt answers as libvirt 9.0 does", async (t) => {
  for (const o of await replay(rows)) {
    await t.step(o.id, () => assert.ok(o.same, o.first));
  }
});
