/**
 * libvirt 9.0's answers to nwfilter documents, recorded from a root libvirtd by
 * tests/tools/nwfilter/record_xml2xml.sh, replayed against edgevirt's parser and formatter: the
 * same XML, or the same error (code, domain, message). The documents are libvirt's own corpus
 * (libvirt 9.0.0 tests/nwfilterxml2xmlin/, copied into tests/fixtures/nwfilter/xml2xml/in with
 * the expected outputs in out/) and hand-made ones for the checks and corners it misses
 * (tests/fixtures/nwfilter/edge/), those also with VIR_NWFILTER_DEFINE_VALIDATE.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { FIXTURES } from "../../paths.ts";
import { formatNWFilterXML, parseNWFilterXML } from "../../../conf/nwfilter/mod.ts";
import { VIR } from "../../../util/constants.ts";
import { VirError } from "../../../util/errors.ts";

const DIR = join(FIXTURES, "nwfilter");

interface Answer {
  file: string;
  ok: boolean;
  xml: string | null;
  error: { code: number; domain: number; message: string } | null;
}

/** Each recorded set: its documents, libvirt's answers, the define flags. */
const SETS = [
  { name: "libvirt corpus", inputs: "xml2xml/in", answers: "xml2xml/answers.jsonl", flags: 0 },
  { name: "edge cases", inputs: "edge", answers: "edge/answers.jsonl", flags: 0 },
  {
    name: "edge cases, VALIDATE",
    inputs: "edge",
    answers: "edge/answers_validate.jsonl",
    flags: VIR.NWFILTER_DEFINE_VALIDATE,
  },
];

const read = async (answers: string): Promise<Answer[]> =>
  (await Deno.readTextFile(join(DIR, answers))).split("\n").filter((l) => l.trim())
    .map((l) => JSON.parse(l));

for (const set of SETS) {
  const answers = await read(set.answers);

  Deno.test(`${set.name}: every document has libvirt's recorded answer`, () => {
    const inputs = [...Deno.readDirSync(join(DIR, set.inputs))].map((e) => e.name)
      .filter((n) => n.endsWith(".xml")).sort();
    assert.deepEqual(answers.map((a) => a.file.replace("./", "")).sort(), inputs);
  });

  Deno.test(`${set.name}: edgevirt answers as libvirt 9.0 does`, async (t) => {
    for (const a of answers) {
      const name = a.file.replace("./", "");
      await t.step(name, async () => {
        const input = await Deno.readTextFile(join(DIR, set.inputs, name));
        let xml: string | undefined;
        let error: Omit<NonNullable<Answer["error"]>, "">;
        try {
          xml = formatNWFilterXML(parseNWFilterXML(input, set.flags));
        } catch (e) {
          if (!(e instanceof VirError)) throw e;
          error = { code: e.code, domain: e.domain, message: e.message };
          assert.ok(!a.ok, `libvirt accepted it, edgevirt says ${e.message}`);
          assert.deepEqual(error, {
            code: a.error!.code,
            domain: a.error!.domain,
            message: a.error!.message,
          });
          return;
        }
        assert.equal(xml, a.xml, `libvirt said ${a.error?.message}`);
      });
    }
  });
}

Deno.test("libvirt's expected outputs of its corpus are what libvirt 9.0 answered", async () => {
  for (const a of (await read("xml2xml/answers.jsonl")).filter((a) => a.ok)) {
    const expected = await Deno.readTextFile(join(DIR, "xml2xml/out", a.file.replace("./", "")));
    assert.equal(a.xml, expected, a.file);
  }
});
