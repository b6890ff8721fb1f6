/**
 * The host node-device and interface drivers behind the gateway, beside a hypervisor that
 * shares the host's secondaries (as QEMU's): their calls over HTTP give what the drivers give
 * in-process, `computer`'s missing parent as null, and libvirt's errors.
 */
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import { nodeDeviceDriver } from "../../../drivers/node_device/mod.ts";
import { interfaceDriver } from "../../../drivers/interface/mod.ts";
import { withSecondaryGateway } from "../secondary_helpers.ts";

Deno.test("node devices and host interfaces over the gateway", async () => {
  await withSecondaryGateway([nodeDeviceDriver, interfaceDriver], async (call) => {
    const local = await nodeDeviceDriver.open(new URL("hv:///embed"), {});
    const ifaces = await interfaceDriver.open(new URL("hv:///embed"), {});
    try {
      const names = (await call("nodeListDevices", null, 0)).result;
      assert.deepEqual(names, await local.nodeListDevices!(null, 0));
      assert.ok(names.includes("computer"));
      assert.equal((await call("nodeDeviceGetParent", { name: "computer" })).result, null);
      for (const name of names) {
        assert.equal(
          (await call("nodeDeviceGetXMLDesc", { name }, 0)).result,
          await local.nodeDeviceGetXMLDesc!({ name }, 0),
        );
      }
      const missing = await call("nodeDeviceLookupByName", "nosuch");
      assert.deepEqual(
        [missing.code, missing.domain],
        [VIR.ERR_NO_NODE_DEVICE, VIR.FROM_NODEDEV],
      );
      const all = (await call("connectListAllInterfaces", 0)).result;
      assert.deepEqual(all, await ifaces.connectListAllInterfaces!(0));
      const lo = (await call("interfaceLookupByName", "lo")).result;
      assert.equal(
        (await call("interfaceGetXMLDesc", lo, 0)).result,
        await ifaces.interfaceGetXMLDesc!(lo, 0),
      );
      const define = await call("interfaceDefineXML", "<interface/>", 0);
      assert.equal(define.code, VIR.ERR_NO_SUPPORT);
    } finally {
      await local.connectClose();
      await ifaces.connectClose();
    }
  });
});
