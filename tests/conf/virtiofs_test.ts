// virtiofs shares' <binary>, queue size and boot order through the test driver's define, against
// libvirt 9.0's test driver on the same inputs (tests/conf/fixtures/virtiofs/, recorded by its record.sh
// with the oracle's canon.sh): the inactive XML byte for byte, or libvirt's code, domain and
// message.
import assert from "node:assert/strict";
import { formatDomainXML } from "../../conf/mod.ts";
import { parseTestDomain } from "../../drivers/simulator/conf_adapters.ts";
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";

const DIR = new URL("./fixtures/virtiofs/", import.meta.url);
const inputs = [...Deno.readDirSync(DIR)].map((e) => e.name)
  .filter((n) => n.endsWith(".xml") && !n.endsWith(".expected.xml"))
  .map((n) => n.slice(0, -4)).sort();

Deno.test("virtiofs inputs: accepted and refused ones", () => {
  assert.ok(inputs.length >= 10);
});

for (const name of inputs) {
  Deno.test(`virtiofs ${name}: as libvirt 9.0's test driver defines it`, () => {
    const xml = Deno.readTextFileSync(new URL(`${name}.xml`, DIR));
    const define = () => formatDomainXML(parseTestDomain(xml, false), VIR.DOMAIN_XML_INACTIVE);
    let expected: string | undefined;
    try {
      expected = Deno.readTextFileSync(new URL(`${name}.expected.xml`, DIR));
    } catch {
      // Refused: its error is recorded instead.
    }
    if (expected !== undefined) return assert.equal(define(), expected);
    const err = JSON.parse(Deno.readTextFileSync(new URL(`${name}.error.json`, DIR)));
    assert.throws(
      define,
      (e: unknown) =>
        e instanceof VirError && e.code === err.code && e.domain === err.domain &&
        e.message === err.message,
    );
  });
}
