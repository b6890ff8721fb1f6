/**
 * libvirt 9.0's domain XML corpus: parse → test-driver post-parse → inactive format must match
 * libvirt byte for byte, and rejected inputs must fail with libvirt's code and domain.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { FIXTURES } from "../paths.ts";
import { formatDomainXML } from "../../conf/mod.ts";
import { parseTestDomain } from "../../drivers/simulator/conf_adapters.ts";
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";

const DIR = join(FIXTURES, "libvirt-xml/domain");

/** The test driver's define, then its inactive XML. */
const define = (xml: string) =>
  formatDomainXML(parseTestDomain(xml, false), VIR.DOMAIN_XML_INACTIVE);

const inputs = [...Deno.readDirSync(DIR)]
  .map((e) => e.name)
  .filter((n) => n.endsWith(".xml") && !n.endsWith(".expected.xml"))
  .map((n) => n.slice(0, -4))
  .sort();

Deno.test("domain corpus has 99 inputs", () => assert.deepEqual(inputs.length, 99));

Deno.test("domain corpus", async (t) => {
  for (const name of inputs) {
    await t.step(name, async () => {
      const xml = await Deno.readTextFile(`${DIR}/${name}.xml`);
      const expected = await Deno.readTextFile(`${DIR}/${name}.expected.xml`).catch(() => null);
      if (expected !== null) {
        assert.deepEqual(define(xml), expected);
        return;
      }
      const err = JSON.parse(await Deno.readTextFile(`${DIR}/${name}.expected-error.json`));
      let caught: unknown;
      try {
        define(xml);
      } catch (e) {
        caught = e;
      }
      assert.ok(caught instanceof VirError, `expected a VirError, got ${caught}`);
      assert.deepEqual(
        { code: caught.code, domain: caught.domain, message: caught.message },
        { code: err.code, domain: err.domain, message: err.message },
      );
    });
  }
});
