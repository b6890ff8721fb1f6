/**
 * Network ports through the public client on `qemu:///embed` (the host network driver beside
 * the QEMU driver): a port made for a NIC of a network on an existing host bridge (nothing is
 * made on the host for such a network), its XML, the list, delete, and the read-only refusal.
 */
import assert from "node:assert/strict";
import { connect } from "../../../host.ts";
import { withRoot } from "../secondary_helpers.ts";
import { VIR } from "../../../util/constants.ts";
import { VirError } from "../../../util/errors.ts";

const PORT =
  "<networkport><uuid>5d744f21-ba4a-4d6e-bdb2-30a35ff3207d</uuid><owner><name>vm1</name>" +
  "<uuid>d54df46f-1ab5-4a22-8618-4560ef5fac2c</uuid></owner><mac address='52:54:00:7b:35:93'/>" +
  "</networkport>";

Deno.test("client: portCreateXML, getXMLDesc, listAllPorts, portLookupByUUID, delete", async () => {
  await withRoot(async (root) => {
    const conn = await connect(`qemu:///embed?root=${root}`);
    try {
      const net = await conn.defineNetworkXML(
        "<network><name>lan</name><forward mode='bridge'/><bridge name='br9'/></network>",
      );
      await net.create();
      const port = await net.portCreateXML(PORT);
      assert.equal(port.uuid, "5d744f21-ba4a-4d6e-bdb2-30a35ff3207d");
      assert.match(await port.getXMLDesc(), /<plug type='bridge' bridge='br9'\/>/);
      assert.deepEqual((await net.listAllPorts()).map((p) => p.uuid), [port.uuid]);
      assert.equal((await net.portLookupByUUID(port.uuid)).uuid, port.uuid);
      assert.deepEqual(await port.getParameters(), {});
      await port.delete();
      assert.deepEqual(await net.listAllPorts(), []);
      await net.destroy();
      await net.undefine();
    } finally {
      await conn.close();
    }
    const ro = await connect(`qemu:///embed?root=${root}`, { readonly: true });
    try {
      const net = await ro.createNetworkXML(
        "<network><name>x</name><forward mode='bridge'/><bridge name='br9'/></network>",
      ).catch((e) => e);
      assert.ok(net instanceof VirError);
      assert.equal(net.code, VIR.ERR_OPERATION_DENIED);
    } finally {
      await ro.close();
    }
  });
});
