// The VALIDATE flag of virNodeDeviceCreateXML/DefineXML: libvirt checks the root, then the
// document against nodedev.rng with libxml2. Differential: libvirt 9.0's answers to generated
// node device documents (half of them mutated), recorded by
// tests/tools/xmlgen/record_validate.sh, are replayed on edgevirt's test:///default.
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseNodeDeviceXML } from "../../conf/node_device/mod.ts";
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import { FIXTURES } from "../paths.ts";
import { replay } from "../tools/xmlgen/compare.ts";
import { readRecording } from "../tools/xmlgen/recording.ts";
import { validateDoc } from "../tools/xmlgen/validate_corpus.ts";

const rows = await readRecording(join(FIXTURES, "xmlgen/nodedev_validate.jsonl.gz"));

Deno.test("node device VALIDATE: the recording is what the generator makes today", () => {
  assert.equal(rows.length, 600);
  for (const r of rows.filter((_, i) => i % 20 === 0)) {
    assert.equal(validateDoc(Number(r.id.split("-")[1])).xml, r.input, r.id);
  }
  // The corpus exercises both outcomes of the schema check.
  const schema = rows.filter((r) => r.error?.code_name === "VIR_ERR_XML_INVALID_SCHEMA");
  assert.ok(schema.length > 100 && schema.length < rows.length - 100, `${schema.length}`);
});

Deno.test("node device VALIDATE: every generated document answered as libvirt 9.0 does", async () => {
  const differ = (await replay(rows, true)).filter((o) => !o.same);
  assert.deepEqual(differ.map((o) => `${o.id}: ${o.first}`), []);
});

Deno.test("node device VALIDATE: the root is checked first, and without the flag no schema", () => {
  const refusal = (xml: string, flags: number) => {
    try {
      parseNodeDeviceXML(xml, flags, true);
    } catch (e) {
      if (e instanceof VirError) return e;
      throw e;
    }
    throw new Error("parsed");
  };
  const root = refusal("<domain/>", VIR.NODE_DEVICE_CREATE_XML_VALIDATE);
  assert.equal(root.code, VIR.ERR_XML_ERROR);
  assert.match(root.message, /expecting root element of 'device', not 'domain'/);
  // A devnode of type 'link' with none of type 'dev' before it is valid RELAX NG, but libxml2
  // (and so libvirt 9.0) takes the first devnode for the 'dev' one.
  const xml = "<device><name>n</name><devnode type='link'>/dev/x</devnode>" +
    "<capability type='system'><hardware><uuid>11111111-2222-3333-4444-555555555555</uuid>" +
    "</hardware><firmware/></capability></device>";
  const schema = refusal(xml, VIR.NODE_DEVICE_CREATE_XML_VALIDATE);
  assert.equal(schema.code, VIR.ERR_XML_INVALID_SCHEMA);
  assert.equal(schema.domain, VIR.FROM_XML);
  assert.match(schema.message, /nodedev\.rng\nElement devnode failed to validate attributes\n$/);
  assert.equal(parseNodeDeviceXML(xml, 0, false).caps[0].type, "system");
});
