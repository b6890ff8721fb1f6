// The VALIDATE flag of virNodeDeviceCreateXML/DefineXML: libvirt checks the root, then the
// document against nodedev.rng with libxml2 (the generated corpus is replayed by
// schema_validate_test.ts).
import assert from "node:assert/strict";
import { parseNodeDeviceXML } from "../../conf/node_device/mod.ts";
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";

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
