/**
 * libvirt's own nwfilter corpus (libvirt 9.0.0 tests/nwfilterxml2xmlin/, copied into
 * tests/fixtures/nwfilter/xml2xml/in with the expected outputs in out/) against libvirt 9.0's
 * answers recorded from a root libvirtd by tests/tools/nwfilter/record_xml2xml.sh: edgevirt's
 * parser and formatter must give the same XML, or the same error (code, domain, message).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { FIXTURES } from "../../paths.ts";
import { formatNWFilterXML, parseNWFilterXML } from "../../../conf/nwfilter/mod.ts";
import { VirError } from "../../../util/errors.ts";

const DIR = join(FIXTURES, "nwfilter/xml2xml");

interface Answer {
  file: string;
  ok: boolean;
  xml: string | null;
  error: { code: number; domain: number; message: string } | null;
}

const answers: Answer[] = (await Deno.readTextFile(join(DIR, "answers.jsonl"))).split("\n")
  .filter((l) => l.trim()).map((l) => JSON.parse(l));

Deno.test("every document of the corpus has libvirt's recorded answer", () => {
  const inputs = [...Deno.readDirSync(join(DIR, "in"))].map((e) => e.name).sort();
  assert.deepEqual(answers.map((a) => a.file.replace("./", "")).sort(), inputs);
});

Deno.test("nwfilterxml2xml: edgevirt answers as libvirt 9.0 does", async (t) => {
  for (const a of answers) {
    const name = a.file.replace("./", "");
    await t.step(name, async () => {
      const input = await Deno.readTextFile(join(DIR, "in", name));
      let got: { xml?: string; error?: Answer["error"] };
      try {
        got = { xml: formatNWFilterXML(parseNWFilterXML(input)) };
      } catch (e) {
        if (!(e instanceof VirError)) throw e;
        got = { error: { code: e.code, domain: e.domain, message: e.message } };
      }
      if (a.ok) assert.equal(got.xml, a.xml);
      else {assert.deepEqual(
          got.error,
          a.error && {
            code: a.error.code,
            domain: a.error.domain,
            message: a.error.message,
          },
        );}
    });
  }
});

Deno.test("libvirt's expected outputs are what libvirt 9.0 answered", async () => {
  for (const a of answers.filter((a) => a.ok)) {
    const expected = await Deno.readTextFile(join(DIR, "out", a.file.replace("./", "")));
    assert.equal(a.xml, expected, a.file);
  }
});
