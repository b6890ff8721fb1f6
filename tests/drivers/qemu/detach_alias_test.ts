// `virDomainDetachDeviceAlias` of the QEMU driver against a fake QEMU, as libvirt 9.0's
// qemuDomainDetachDeviceAliasLiveAndConfig: the live request sends device_del and returns
// without waiting for DEVICE_DELETED (qemuDomainDetachDeviceLive with async=true), whose late
// arrival removes the device; the persistent definition loses the device of that (user) alias;
// the refusals are replayed from libvirt's recording in api_calls_recorded_test.ts.
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import { FakeLauncher, FakeNics } from "../../../drivers/qemu/testing/mod.ts";
import { domainXml } from "./agent_harness.ts";
import { qmp, setup } from "./fake_qmp/block_harness.ts";
import { withQemuConn } from "./with_conn.ts";

const FIXTURES = new URL("../../fixtures/libvirt-hotplug/", import.meta.url);
const DISK = Deno.readTextFileSync(new URL("disk-virtio.xml", FIXTURES));

Deno.test("detach by alias, live: device_del only, the late DEVICE_DELETED removes the disk", async () => {
  const t = await setup({ unplug: "hold" });
  try {
    await t.conn.domainAttachDeviceFlags!(t.dom, DISK, VIR.DOMAIN_AFFECT_LIVE);
    const fake = [...t.launcher.instances.values()].at(-1)!;
    fake.commands.length = 0;
    await t.conn.domainDetachDeviceAlias!(t.dom, "virtio-disk4", VIR.DOMAIN_AFFECT_LIVE);
    assert.deepEqual(qmp(t).map((c) => [c.execute, c.arguments]), [
      ["device_del", { id: "virtio-disk4" }],
    ]);
    // Returned before QEMU let go: the disk is still there.
    assert.match(await t.conn.domainGetXMLDesc!(t.dom, 0), /virtio-disk4/);
    t.block.release();
    while (/virtio-disk4/.test(await t.conn.domainGetXMLDesc!(t.dom, 0))) {
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.deepEqual(qmp(t).slice(1).map((c) => [c.execute, c.arguments]), [
      ["blockdev-del", { "node-name": "libvirt-3-format" }],
      ["blockdev-del", { "node-name": "libvirt-3-storage" }],
    ]);
    assert.deepEqual(
      t.events.filter((e) => e.eventId === VIR.DOMAIN_EVENT_ID_DEVICE_REMOVED).map((e) => e.data),
      [{ devAlias: "virtio-disk4" }],
    );
  } finally {
    await t.close();
  }
});

Deno.test("detach by alias, config: the device of a user alias leaves the persistent definition", async () => {
  const t = await setup();
  try {
    const config = VIR.DOMAIN_AFFECT_CONFIG;
    const withAlias = DISK.replace("<readonly/>", "<alias name='ua-extra'/><readonly/>");
    await t.conn.domainAttachDeviceFlags!(t.dom, withAlias, config);
    assert.match(
      await t.conn.domainGetXMLDesc!(t.dom, VIR.DOMAIN_XML_INACTIVE),
      /<alias name='ua-extra'\/>/,
    );
    await t.conn.domainDetachDeviceAlias!(t.dom, "ua-extra", config);
    assert.deepEqual(qmp(t), []);
    assert.doesNotMatch(await t.conn.domainGetXMLDesc!(t.dom, VIR.DOMAIN_XML_INACTIVE), /vde/);
    assert.doesNotMatch(Deno.readTextFileSync(`${t.dir}/config/hp.xml`), /vde/);
  } finally {
    await t.close();
  }
});

Deno.test("detach by alias: a NIC's live unplug is only requested; its late event removes it", async () => {
  const nics = new FakeNics({ unplug: "hold" });
  const launcher = new FakeLauncher({ onCommand: nics.handle });
  nics.follow(launcher.launches);
  await withQemuConn({ launcher }, async (conn) => {
    const nic = "<interface type='user'><mac address='52:54:00:11:22:33'/>" +
      "<model type='virtio'/><alias name='ua-nic'/></interface>";
    const dom = await conn.domainDefineXMLFlags!(domainXml("nic", nic), 0);
    await conn.domainCreateWithFlags!(dom, 0);
    nics.bind([...launcher.instances.values()].at(-1)!);
    await conn.domainDetachDeviceAlias!(dom, "ua-nic", VIR.DOMAIN_AFFECT_LIVE);
    assert.match(await conn.domainGetXMLDesc!(dom, 0), /ua-nic/);
    assert.equal(nics.netdevs.has("hostua-nic"), true);
    nics.release();
    while (/ua-nic/.test(await conn.domainGetXMLDesc!(dom, 0))) {
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.equal(nics.netdevs.has("hostua-nic"), false);
    // The persistent NIC of that user alias goes too, and only when asked.
    assert.match(await conn.domainGetXMLDesc!(dom, VIR.DOMAIN_XML_INACTIVE), /ua-nic/);
    await conn.domainDetachDeviceAlias!(dom, "ua-nic", VIR.DOMAIN_AFFECT_CONFIG);
    assert.doesNotMatch(await conn.domainGetXMLDesc!(dom, VIR.DOMAIN_XML_INACTIVE), /ua-nic/);
    await conn.domainDestroyFlags!(dom, 0);
  });
});
