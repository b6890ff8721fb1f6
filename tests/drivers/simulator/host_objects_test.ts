// Expected values below were recorded from libvirt 9.0's test driver through python3-libvirt
// and virsh (test:///default).
import { assertEquals } from "./assert.ts";
import { expectError, withDefault } from "./helpers.ts";
import { REPO_ROOT } from "../../paths.ts";

const FC = (parent: string, n: string) =>
  `<device><parent>${parent}</parent><capability type='scsi_host'><host>0</host>` +
  `<capability type='fc_host'><wwnn>20000000123412${n}</wwnn><wwpn>10000000123412${n}</wwpn>` +
  "</capability></capability></device>";

Deno.test("capabilities of test:///default match virsh byte for byte", () =>
  withDefault(async (d) => {
    const expected = await Deno.readTextFile(
      `${REPO_ROOT}/tests/conf/golden/capabilities_test_default.xml`,
    );
    assertEquals(await d.connectGetCapabilities(), expected);
  }));

Deno.test("interfaces: redefinition keeps the run state, MAC lookups, transactions", () =>
  withDefault(async (d) => {
    const eth1 = await d.interfaceDefineXML(
      "<interface type='ethernet' name='eth1'><start mode='none'/>" +
        "<mac address='52:54:00:00:00:23'/></interface>",
      0,
    );
    assertEquals(await d.interfaceIsActive(eth1), true);
    await d.interfaceDefineXML(
      "<interface type='ethernet' name='eth3'><mac address='52:54:00:00:00:23'/></interface>",
      0,
    );
    await expectError(
      d.interfaceLookupByMACString("52:54:00:00:00:23"),
      59,
      12,
      "multiple matching interfaces found",
    );
    await expectError(
      d.interfaceChangeCommit(0),
      55,
      12,
      "Requested operation is not valid: no transaction running, nothing to be committed.",
    );
    await d.interfaceChangeBegin(0);
    await expectError(
      d.interfaceChangeBegin(0),
      55,
      12,
      "Requested operation is not valid: there is another transaction running.",
    );
    await d.interfaceUndefine(eth1);
    await d.interfaceChangeRollback(0);
    // the definitions come back, every interface inactive (virInterfaceObjListClone)
    assertEquals(await d.connectListInterfaces(), []);
    assertEquals(await d.connectListDefinedInterfaces(), ["eth1", "eth3"]);
    await expectError(d.interfaceDestroy(eth1, 0), 55, 12, "Requested operation is not valid");
  }));

Deno.test("node devices: the vHBA mock copies scsi_host11 as scsi_host12", () =>
  withDefault(async (d) => {
    assertEquals(await d.nodeListDevices("vports", 0), ["scsi_host1", "scsi_host2"]);
    await expectError(
      d.nodeDeviceCreateXML(FC("computer", "99"), 0),
      1,
      22,
      "internal error: Parent device computer is not capable of vport operations",
    );
    await expectError(
      d.nodeDeviceCreateXML(FC("nosuch", "99"), 0),
      1,
      22,
      "internal error: Could not find parent device for 'new device'",
    );
    const dev = await d.nodeDeviceCreateXML(FC("scsi_host2", "77"), 0);
    assertEquals(dev, { name: "scsi_host12" });
    assertEquals(await d.nodeDeviceGetParent(dev), "scsi_host1");
    assertEquals(await d.nodeDeviceListCaps(dev), ["scsi_host"]);
    await d.nodeDeviceDestroy({ name: "computer" });
    await d.nodeDeviceDestroy(dev);
    await expectError(
      d.nodeDeviceLookupByName("scsi_host12"),
      53,
      12,
      "Node device not found: no node device with matching name 'scsi_host12'",
    );
    assertEquals(await d.nodeNumOfDevices(null, 0), 4);
  }));
