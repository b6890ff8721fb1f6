// The VALIDATE flags of every document kind with a schema check: libvirt 9.0's answers to
// generated documents (half of them mutated), recorded by tests/tools/xmlgen/record_validate.sh,
// replayed on edgevirt's test:///default. libvirt checks the root, then the document against the
// kind's RELAX NG schema with libxml2, then parses it; a refusal of the schema reads line for
// line as libxml2's.
import assert from "node:assert/strict";
import { replay } from "../tools/xmlgen/compare.ts";
import type { Kind } from "../tools/xmlgen/kinds.ts";
import { readRecording, type Recorded } from "../tools/xmlgen/recording.ts";
import { parseCpuDef } from "../../conf/cpu/def.ts";
import { VirError } from "../../util/errors.ts";
import { VALIDATE_SIZES, validateDoc, validateRecording } from "../tools/xmlgen/validate_corpus.ts";

for (const [kind, size] of Object.entries(VALIDATE_SIZES) as [Kind, number][]) {
  const rows = await readRecording(validateRecording(kind));

  Deno.test(`${kind} VALIDATE: the recording is what the generator makes today`, () => {
    assert.equal(rows.length, size);
    for (const r of rows.filter((_, i) => i % 20 === 0)) {
      assert.equal(validateDoc(kind, Number(r.id.split("-")[1])).xml, r.input, r.id);
    }
    // The corpus exercises the schema's refusals, and documents that pass it.
    const refused = rows.filter((r) => r.error?.code_name === "VIR_ERR_XML_INVALID_SCHEMA");
    assert.ok(refused.length > size / 5 && refused.length < size * 0.9, `${refused.length}`);
  });

  Deno.test(`${kind} VALIDATE: every generated document answered as libvirt 9.0 does`, async () => {
    const differ = kind === "cpu"
      ? cpuParseDifferences(rows)
      : (await replay(rows, true)).filter((o) => !o.same).map((o) => `${o.id}: ${o.first}`);
    assert.deepEqual(differ, []);
  });
}

/**
 * A CPU document's answer past its parse is compareCPU's against the recording host's CPU, which
 * the replay does not have; the parse (cpu.rng first) comes before it, so a parse error must be
 * libvirt's, and a document edgevirt parses must not be one libvirt's schema refused.
 */
function cpuParseDifferences(rows: Recorded[]): string[] {
  return rows.flatMap((r) => {
    let got: string | undefined;
    try {
      parseCpuDef(r.input, "auto", true);
    } catch (e) {
      if (!(e instanceof VirError)) throw e;
      got = e.message;
    }
    const want = r.error?.message;
    const same = got === undefined
      ? r.error?.code_name !== "VIR_ERR_XML_INVALID_SCHEMA"
      : got === want;
    return same ? [] : [`${r.id}: libvirt ${want ?? r.xml} | edgevirt ${got ?? "parses"}`];
  });
}
