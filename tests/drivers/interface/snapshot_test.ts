/**
 * The interface driver on the recorded sysfs of a real machine (a veth pair, one end in a
 * bridge, and lo, in a network namespace), against what libvirt 9.0's udev interface backend
 * answered there: the same lists and, byte for byte, the same XML; lookups and libvirt's
 * errors; defining interfaces is not in that backend.
 */
import assert from "node:assert/strict";
import { interfaceDriver } from "../../../drivers/interface/mod.ts";
import type { SecondaryConnection } from "../../../util/contract/compose.ts";
import { VIR } from "../../../util/constants.ts";
import { errorsOf } from "../secondary_helpers.ts";
import { RECORDED, withRecordedSysfs } from "../node_device/recording.ts";

const rejectsWith = errorsOf(VIR.FROM_INTERFACE);

/** The names of virsh's `iface-list` table. */
function listed(table: string): string[] {
  return table.split("\n").slice(2).map((l) => l.trim().split(/\s+/)[0]).filter(Boolean);
}

async function withDriver(body: (conn: SecondaryConnection) => Promise<void>): Promise<void> {
  await withRecordedSysfs(async (root) => {
    const conn = await interfaceDriver.open(new URL("qemu:///system"), { sysfsRoot: root });
    try {
      await body(conn);
    } finally {
      await conn.connectClose();
    }
  });
}

Deno.test("lists and XML of every interface as libvirt's udev backend", async () => {
  await withDriver(async (conn) => {
    const all = await conn.connectListAllInterfaces!(0);
    assert.deepEqual(all.map((i) => i.name).sort(), listed(RECORDED.iface.list_all));
    assert.deepEqual(
      (await conn.connectListInterfaces!()).sort(),
      listed(RECORDED.iface.list_active),
    );
    assert.equal(await conn.connectNumOfInterfaces!(), listed(RECORDED.iface.list_active).length);
    // lo's state is "unknown": neither active nor defined, but inactive in the full list.
    assert.deepEqual(await conn.connectListDefinedInterfaces!(), []);
    const inactive = await conn.connectListAllInterfaces!(VIR.CONNECT_LIST_INTERFACES_INACTIVE);
    assert.deepEqual(inactive.map((i) => i.name), ["lo"]);
    for (const [name, xml] of Object.entries(RECORDED.iface.xml)) {
      const iface = await conn.interfaceLookupByName!(name);
      assert.equal(await conn.interfaceGetXMLDesc!(iface, 0), xml, name);
      assert.equal(
        await conn.interfaceGetXMLDesc!(iface, VIR.INTERFACE_XML_INACTIVE),
        RECORDED.iface.xml_inactive[name],
        name,
      );
    }
  });
});

Deno.test("lookup by MAC, activity, and libvirt's errors", async () => {
  await withDriver(async (conn) => {
    assert.deepEqual(await conn.interfaceLookupByMACString!("52:54:00:0e:00:10"), {
      name: "evrbr0",
      mac: "52:54:00:0e:00:10",
    });
    assert.equal(await conn.interfaceIsActive!({ name: "evr0", mac: "" }), true);
    assert.equal(await conn.interfaceIsActive!({ name: "lo", mac: "" }), false);
    await rejectsWith(
      conn.interfaceLookupByName!("nosuch0"),
      VIR.ERR_NO_INTERFACE,
      "Interface not found: couldn't find interface named 'nosuch0'",
    );
    // A bridge port is in no list: looking it up by MAC finds nothing.
    await rejectsWith(
      conn.interfaceLookupByMACString!("52:54:00:0e:00:02"),
      VIR.ERR_NO_INTERFACE,
      "Interface not found: couldn't find interface with MAC address '52:54:00:0e:00:02'",
    );
    await rejectsWith(
      conn.connectListAllInterfaces!(4),
      VIR.ERR_INVALID_ARG,
      "unsupported flags (0x4) in function udevConnectListAllInterfaces",
    );
    assert.equal(conn.interfaceDefineXML, undefined);
    assert.equal(conn.interfaceChangeBegin, undefined);
  });
});
