// The VALIDATE flag of virNodeDeviceCreateXML/DefineXML: libvirt checks the root, then the
// document against nodedev.rng. edgevirt has no table of that schema, so after the same root
// check the flag is refused, never ignored; without the flag the same document parses.
import assert from "node:assert/strict";
import { parseNodeDeviceXML } from "../../conf/node_device/mod.ts";
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";

const DEVICE = "<device><parent>scsi_host1</parent><capability type='scsi_host'><host>0</host>" +
  "<capability type='fc_host'><wwnn>2000000012341298</wwnn><wwpn>1000000012341298</wwpn>" +
  "</capability></capability></device>";

function refusal(xml: string, flags: number): VirError {
  try {
    parseNodeDeviceXML(xml, flags, true);
  } catch (e) {
    if (e instanceof VirError) return e;
    throw e;
  }
  throw new Error("parsed");
}

Deno.test("node device VALIDATE: the root error first, as libvirt; then a refusal, not a pass", () => {
  const root = refusal("<domain/>", VIR.NODE_DEVICE_CREATE_XML_VALIDATE);
  assert.equal(root.code, VIR.ERR_XML_ERROR);
  assert.match(root.message, /expecting root element of 'device', not 'domain'/);
  const validated = refusal(DEVICE, VIR.NODE_DEVICE_CREATE_XML_VALIDATE);
  assert.equal(validated.code, VIR.ERR_OPERATION_UNSUPPORTED);
  assert.equal(validated.domain, VIR.FROM_NODEDEV);
  assert.equal(parseNodeDeviceXML(DEVICE, 0, true).caps[0].type, "scsi_host");
});
