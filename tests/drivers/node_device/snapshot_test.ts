/**
 * The node-device driver on the recorded sysfs of a real machine, against what libvirt 9.0's
 * udev backend answered there (tests/tools/record_nodedev.sh): the same device names,
 * parents, capabilities, capability lists and, byte for byte, the XML of every device; then
 * libvirt's filters and errors.
 */
import assert from "node:assert/strict";
import { nodeDeviceDriver } from "../../../drivers/node_device/mod.ts";
import type { SecondaryConnection } from "../../../util/contract/compose.ts";
import { VIR } from "../../../util/constants.ts";
import { errorsOf } from "../secondary_helpers.ts";
import { RECORDED, recordedEthtool, withRecordedSysfs } from "./recording.ts";

const rejectsWith = errorsOf(VIR.FROM_NODEDEV);
const sorted = (a: string[]) => [...a].sort();

async function withDriver(body: (conn: SecondaryConnection) => Promise<void>): Promise<void> {
  await withRecordedSysfs(async (root) => {
    const conn = await nodeDeviceDriver.open(new URL("qemu:///system"), {
      sysfsRoot: root,
      udevDataDir: `${root}/no-udev-database`,
      ethtool: recordedEthtool,
      // The recording ran as root, so libvirt read the PCI config spaces.
      privileged: true,
    });
    try {
      await body(conn);
    } finally {
      await conn.connectClose();
    }
  });
}

Deno.test("every device libvirt listed, with its parent, capabilities and identical XML", async () => {
  await withDriver(async (conn) => {
    const names = await conn.nodeListDevices!(null, 0);
    assert.deepEqual(sorted(names), sorted(Object.keys(RECORDED.nodedev.devices)));
    for (const [name, want] of Object.entries(RECORDED.nodedev.devices)) {
      const dev = { name };
      assert.equal(await conn.nodeDeviceGetXMLDesc!(dev, 0), want.xml, name);
      assert.equal(await conn.nodeDeviceGetParent!(dev), want.parent, name);
      assert.deepEqual(await conn.nodeDeviceListCaps!(dev), want.caps, name);
      assert.equal(await conn.nodeDeviceNumOfCaps!(dev), want.caps.length, name);
    }
  });
});

Deno.test("lists by capability as libvirt's, and connectListAllNodeDevices' filters", async () => {
  await withDriver(async (conn) => {
    for (const [cap, names] of Object.entries(RECORDED.nodedev.caps)) {
      assert.deepEqual(sorted(await conn.nodeListDevices!(cap, 0)), names, cap);
      assert.equal(await conn.nodeNumOfDevices!(cap, 0), names.length, cap);
    }
    const all = (flags: number) =>
      conn.connectListAllNodeDevices!(flags).then((l) => sorted(l.map((d) => d.name)));
    assert.deepEqual(await all(0), sorted(Object.keys(RECORDED.nodedev.devices)));
    assert.deepEqual(
      await all(VIR.CONNECT_LIST_NODE_DEVICES_CAP_NET | VIR.CONNECT_LIST_NODE_DEVICES_CAP_STORAGE),
      sorted([...RECORDED.nodedev.caps.net, ...RECORDED.nodedev.caps.storage]),
    );
    assert.deepEqual(await all(VIR.CONNECT_LIST_NODE_DEVICES_INACTIVE), []);
    assert.deepEqual(await all(VIR.CONNECT_LIST_NODE_DEVICES_ACTIVE), await all(0));
  });
});

Deno.test("libvirt's errors: unknown device, flags, lifecycle calls of udev devices", async () => {
  await withDriver(async (conn) => {
    await rejectsWith(
      conn.nodeDeviceLookupByName!("pci_ffff_00_00_0"),
      VIR.ERR_NO_NODE_DEVICE,
      "Node device not found: no node device with matching name 'pci_ffff_00_00_0'",
    );
    await rejectsWith(
      conn.nodeListDevices!(null, 1),
      VIR.ERR_INVALID_ARG,
      "unsupported flags (0x1) in function nodeListDevices",
    );
    const pci = { name: RECORDED.nodedev.caps.pci[0] };
    assert.equal(await conn.nodeDeviceIsActive!(pci), true);
    assert.equal(await conn.nodeDeviceIsPersistent!(pci), false);
    assert.equal(await conn.nodeDeviceIsPersistent!({ name: "computer" }), true);
    await rejectsWith(
      conn.nodeDeviceCreate!(pci, 0),
      VIR.ERR_OPERATION_INVALID,
      "Requested operation is not valid: Device is already active",
    );
    await rejectsWith(
      conn.nodeDeviceUndefine!(pci, 0),
      VIR.ERR_OPERATION_INVALID,
      `Requested operation is not valid: Node device '${pci.name}' is not defined`,
    );
    await rejectsWith(
      conn.nodeDeviceDestroy!(pci),
      VIR.ERR_CONFIG_UNSUPPORTED,
      "unsupported configuration: Unsupported device type",
    );
  });
});

Deno.test("creating devices: only vHBAs, on a vport-capable host (none here)", async () => {
  await withDriver(async (conn) => {
    const device = (cap: string) => `<device><name>x</name>${cap}</device>`;
    const system = "<capability type='system'><hardware>" +
      "<uuid>4d1f6a94-5b8b-4d7e-9a0c-2d3f1b6e7a11</uuid></hardware></capability>";
    await rejectsWith(
      conn.nodeDeviceCreateXML!(device(system), 0),
      VIR.ERR_CONFIG_UNSUPPORTED,
      "unsupported configuration: Unsupported device type",
    );
    const fc = "<capability type='fc_host'><wwnn>20000000c9831b4b</wwnn>" +
      "<wwpn>10000000c9831b4b</wwpn></capability>";
    await rejectsWith(
      conn.nodeDeviceCreateXML!(
        device(`<capability type='scsi_host'><host>9</host>${fc}</capability>`),
        0,
      ),
      VIR.ERR_INTERNAL_ERROR,
      "internal error: Could not find any vport capable device",
    );
    await rejectsWith(
      conn.nodeDeviceCreateXML!(
        `<device><name>x</name><parent>scsi_host9</parent><capability type='scsi_host'>` +
          `<host>9</host>${fc}</capability></device>`,
        0,
      ),
      VIR.ERR_INTERNAL_ERROR,
      "internal error: Could not find parent device for 'new device'",
    );
    await rejectsWith(
      conn.nodeDeviceDefineXML!(device(system), 0),
      VIR.ERR_CONFIG_UNSUPPORTED,
      "unsupported configuration: Unsupported device type",
    );
    await rejectsWith(
      conn.nodeDeviceCreateXML!(device(system), 2),
      VIR.ERR_INVALID_ARG,
      "unsupported flags (0x2) in function nodeDeviceCreateXML",
    );
  });
});
