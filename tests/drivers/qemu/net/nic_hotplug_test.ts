// NIC hotplug of the QEMU driver against a fake QEMU network layer, a fake network driver and
// fake taps: the QMP sequences of libvirt 9.0's qemuDomainAttachNetDevice (netdev_add
// host<alias> + device_add <alias>, set_link for a link down), qemuDomainRemoveNetDevice
// (device_del, DEVICE_DELETED, netdev_del, then the tap and the port) and qemuDomainChangeNet
// (set_link), with libvirt's lookup (virDomainNetFindIdx) and refusal messages.
import assert from "node:assert/strict";
import { FakeNics } from "../../../../drivers/qemu/testing/mod.ts";
import { VIR } from "../../../../util/constants.ts";
import type { DomainRef } from "../../../../util/driver.ts";
import { VirError } from "../../../../util/errors.ts";
import { domainXML, NIC, type World, world } from "./nic_world.ts";

const LIVE = VIR.DOMAIN_AFFECT_LIVE;
const USER0 = "<interface type='user'><mac address='52:54:00:aa:00:00'/>" +
  "<model type='virtio'/></interface>";
const NET1 = "<interface type='network'><source network='default'/><model type='virtio'/>" +
  "</interface>";

const err = async (p: Promise<unknown>) => {
  const e = await p.then(() => undefined, (e) => e);
  assert.ok(e instanceof VirError, `expected a VirError, got ${e}`);
  return e;
};

interface Hot {
  w: World;
  nics: FakeNics;
  dom: DomainRef;
  /** The QMP commands since the start, without queries. */
  qmp(): { execute: string; arguments?: Record<string, unknown> }[];
  live(): Promise<string>;
}

/** A defined domain with a user NIC, started on a fake QEMU whose network layer is `nics`. */
async function hot(
  w: World,
  nics: FakeNics,
  devices = USER0,
  machine = "pc",
): Promise<Hot> {
  const xml = domainXML(devices).replace("machine='pc'", `machine='${machine}'`);
  const dom = await w.conn.domainDefineXMLFlags!(xml, 0);
  await w.conn.domainCreateWithFlags!(dom, 0);
  const fake = [...w.launcher.instances.values()].at(-1)!;
  nics.bind(fake);
  fake.commands.length = 0;
  return {
    w,
    nics,
    dom,
    qmp: () => fake.commands.filter((c) => !c.execute.startsWith("query-")),
    live: () => w.conn.domainGetXMLDesc!(dom, 0),
  };
}

Deno.test("attach a network NIC live: port, tap, netdev_add hostnet1, device_add net1; detach undoes it", async () => {
  const nics = new FakeNics();
  await using w = await world(undefined, { nics });
  const events: unknown[] = [];
  w.conn.subscribe!((ev) => events.push(ev));
  const t = await hot(w, nics);
  await w.conn.domainAttachDeviceFlags!(t.dom, NET1, LIVE);
  const [[portid]] = [...w.net.ports];
  const mac = [...w.taps.taps.values()][0].mac.replace(/^fe/, "52");
  assert.match(mac, /^52:54:00:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$/);
  assert.deepEqual(t.qmp(), [
    {
      execute: "netdev_add",
      arguments: { type: "tap", id: "hostnet1", ifname: "vnet0", script: "no", downscript: "no" },
    },
    {
      execute: "device_add",
      arguments: {
        driver: "virtio-net-pci",
        netdev: "hostnet1",
        id: "net1",
        mac,
        bus: "pci.0",
        addr: "0x3",
      },
    },
  ]);
  assert.deepEqual([...w.taps.taps], [["vnet0", {
    mac: `fe${mac.slice(2)}`,
    bridge: "virbr0",
    mtu: 1500,
  }]]);
  const live = await t.live();
  assert.match(
    live,
    new RegExp(
      `<interface type='network'>\\s*<mac address='${mac}'/>\\s*` +
        `<source network='default' portid='${portid}' bridge='virbr0'/>\\s*` +
        `<target dev='vnet0'/>\\s*<model type='virtio'/>\\s*<alias name='net1'/>\\s*` +
        `<address type='pci' domain='0x0000' bus='0x00' slot='0x03' function='0x0'/>`,
    ),
  );
  // Only the live definition has it.
  const inactive = await w.conn.domainGetXMLDesc!(t.dom, VIR.DOMAIN_XML_INACTIVE);
  assert.doesNotMatch(inactive, /type='network'/);
  const added = events.filter((e) =>
    (e as { eventId: number }).eventId === VIR.DOMAIN_EVENT_ID_DEVICE_ADDED
  );
  assert.deepEqual(added.map((e) => (e as { data: unknown }).data), [{ devAlias: "net1" }]);

  t.qmp().length = 0;
  [...w.launcher.instances.values()].at(-1)!.commands.length = 0;
  await w.conn.domainDetachDeviceFlags!(
    t.dom,
    // libvirt parses the NIC to detach as any NIC: its type needs a <source>.
    `<interface type='network'><mac address='${mac}'/><source network='default'/></interface>`,
    LIVE,
  );
  assert.deepEqual(t.qmp().map((c) => [c.execute, c.arguments]), [
    ["device_del", { id: "net1" }],
    ["netdev_del", { id: "hostnet1" }],
  ]);
  assert.equal(w.taps.taps.size, 0, "the tap goes with the NIC");
  assert.equal(w.net.ports.size, 0, "the port goes with the NIC");
  assert.doesNotMatch(await t.live(), /type='network'/);
  const removed = events.filter((e) =>
    (e as { eventId: number }).eventId === VIR.DOMAIN_EVENT_ID_DEVICE_REMOVED
  );
  assert.deepEqual(removed.map((e) => (e as { data: unknown }).data), [{ devAlias: "net1" }]);
});

Deno.test("attach live and config: one generated MAC in both definitions, the config NIC without live parts", async () => {
  const nics = new FakeNics();
  await using w = await world(undefined, { nics });
  const t = await hot(w, nics);
  await w.conn.domainAttachDeviceFlags!(
    t.dom,
    "<interface type='user'><model type='e1000'/></interface>",
    LIVE | VIR.DOMAIN_AFFECT_CONFIG,
  );
  const mac = (xml: string) => [...xml.matchAll(/<mac address='([^']+)'/g)].map((m) => m[1]);
  const live = mac(await t.live());
  const config = mac(await w.conn.domainGetXMLDesc!(t.dom, VIR.DOMAIN_XML_INACTIVE));
  assert.equal(live.length, 2);
  assert.deepEqual(config, live);
  assert.deepEqual(t.qmp().map((c) => c.arguments), [
    { type: "user", id: "hostnet1" },
    { driver: "e1000", netdev: "hostnet1", id: "net1", mac: live[1], bus: "pci.0", addr: "0x3" },
  ]);
  // The config alone: the NIC goes from the persistent definition, the live one keeps it.
  await w.conn.domainDetachDeviceFlags!(
    t.dom,
    `<interface type='user'><mac address='${live[1]}'/></interface>`,
    VIR.DOMAIN_AFFECT_CONFIG,
  );
  assert.equal(mac(await w.conn.domainGetXMLDesc!(t.dom, VIR.DOMAIN_XML_INACTIVE)).length, 1);
  assert.equal(mac(await t.live()).length, 2);
});

Deno.test("a failed device_add takes back the netdev, the tap and the port; nothing changed", async () => {
  const nics = new FakeNics({ fail: { device_add: "PCI: slot 3 function 0 not available" } });
  await using w = await world(undefined, { nics });
  const t = await hot(w, nics);
  const before = await t.live();
  const e = await err(w.conn.domainAttachDeviceFlags!(t.dom, NET1, LIVE));
  assert.equal(
    e.message,
    "internal error: unable to execute QEMU command 'device_add': PCI: slot 3 function 0 not available",
  );
  assert.deepEqual(t.qmp().map((c) => c.execute), ["netdev_add", "device_add", "netdev_del"]);
  assert.equal(nics.netdevs.has("hostnet1"), false);
  assert.equal(w.taps.taps.size, 0);
  assert.equal(w.net.ports.size, 0);
  assert.equal(await t.live(), before);
});

Deno.test("a failed netdev_add releases the tap and the port; a missing network fails first", async () => {
  const nics = new FakeNics({
    fail: { netdev_add: "could not configure /dev/net/tun (vnet0): Operation not permitted" },
  });
  await using w = await world(undefined, { nics });
  const t = await hot(w, nics);
  await err(w.conn.domainAttachDeviceFlags!(t.dom, NET1, LIVE));
  assert.deepEqual(t.qmp().map((c) => c.execute), ["netdev_add"]);
  assert.equal(w.taps.taps.size, 0);
  assert.equal(w.net.ports.size, 0);
  const missing = await err(
    w.conn.domainAttachDeviceFlags!(t.dom, NET1.replace("'default'", "'nowhere'"), LIVE),
  );
  assert.equal(missing.message, "Network not found: no network with matching name 'nowhere'");
  assert.deepEqual(t.qmp().map((c) => c.execute), ["netdev_add"]);
});

Deno.test("what libvirt cannot hotplug, or the driver cannot run, is refused before anything is made", async () => {
  const nics = new FakeNics();
  await using w = await world(undefined, { nics });
  const t = await hot(w, nics);
  const udp = await err(w.conn.domainAttachDeviceFlags!(
    t.dom,
    "<interface type='udp'><source address='127.0.0.1' port='5555'><local address='127.0.0.1' port='6666'/></source></interface>",
    LIVE,
  ));
  assert.equal(udp.code, VIR.ERR_OPERATION_UNSUPPORTED);
  assert.equal(
    udp.message,
    "Operation not supported: hotplug of interface type of udp is not implemented yet",
  );
  const mtu = await err(w.conn.domainAttachDeviceFlags!(
    t.dom,
    "<interface type='bridge'><source bridge='br0'/><mtu size='9000'/></interface>",
    LIVE,
  ));
  assert.equal(
    mtu.message,
    "unsupported configuration: interface <mtu> is not supported with this QEMU binary",
  );
  assert.deepEqual(t.qmp(), []);
  assert.equal(w.taps.taps.size, 0);
});

Deno.test("detach finds the NIC as virDomainNetFindIdx: by MAC, alias or PCI address, never two", async () => {
  const nics = new FakeNics();
  await using w = await world(undefined, { nics });
  const twins = USER0 + USER0.replace("virtio", "e1000");
  const t = await hot(w, nics, twins);
  const detach = (xml: string) => w.conn.domainDetachDeviceFlags!(t.dom, xml, LIVE);
  const two = await err(
    detach("<interface type='user'><mac address='52:54:00:aa:00:00'/></interface>"),
  );
  assert.equal(two.code, VIR.ERR_OPERATION_FAILED);
  assert.equal(
    two.message,
    "operation failed: multiple devices matching MAC address 52:54:00:aa:00:00 found",
  );
  const none = await err(
    detach("<interface type='user'><mac address='52:54:00:aa:00:09'/></interface>"),
  );
  assert.equal(none.code, VIR.ERR_DEVICE_MISSING);
  assert.equal(
    none.message,
    "device not found: no device found at address '(<null>)' matching MAC address '52:54:00:aa:00:09' and alias '(<null>)'",
  );
  const atPci = await err(detach(
    "<interface type='user'><address type='pci' domain='0x0000' bus='0x00' slot='0x09' function='0x0'/></interface>",
  ));
  assert.equal(
    atPci.message,
    "device not found: no device found at address '0000:00:09.0' matching MAC address '(<null>)' and alias '(<null>)'",
  );
  // The alias tells the twins apart; the PCI address too.
  await detach(
    "<interface type='user'><mac address='52:54:00:aa:00:00'/><alias name='net1'/></interface>",
  );
  assert.deepEqual(t.qmp().filter((c) => c.execute !== "netdev_del").map((c) => c.arguments), [{
    id: "net1",
  }]);
  await detach(
    "<interface type='user'><address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/></interface>",
  );
  assert.doesNotMatch(await t.live(), /<interface/);
});

Deno.test("an unplug the guest has not finished: detach returns, the tap stays until DEVICE_DELETED", async () => {
  const nics = new FakeNics({ unplug: "hold" });
  await using w = await world(undefined, { nics });
  const t = await hot(w, nics, USER0 + NIC("bridge", "bridge='br0'", "52:54:00:aa:bb:02"));
  const events: { eventId: number; data: unknown }[] = [];
  w.conn.subscribe!((ev) => events.push(ev as { eventId: number; data: unknown }));
  await w.conn.domainDetachDeviceFlags!(
    t.dom,
    "<interface type='bridge'><mac address='52:54:00:aa:bb:02'/><source bridge='br0'/></interface>",
    LIVE,
  );
  assert.match(await t.live(), /<interface type='bridge'>/, "still there until QEMU lets go");
  assert.ok(w.taps.taps.has("vnet0"));
  assert.ok(nics.netdevs.has("hostnet1"));
  nics.release();
  for (let i = 0; i < 100 && w.taps.taps.size; i++) await new Promise((r) => setTimeout(r, 5));
  assert.equal(w.taps.taps.size, 0);
  assert.equal(nics.netdevs.has("hostnet1"), false);
  assert.doesNotMatch(await t.live(), /<interface type='bridge'>/);
  assert.deepEqual(
    events.filter((e) => e.eventId === VIR.DOMAIN_EVENT_ID_DEVICE_REMOVED).map((e) => e.data),
    [{ devAlias: "net1" }],
  );
});

Deno.test("NICs keep their own tap and port when one before them leaves, through a restart and a stop", async () => {
  const nics = new FakeNics();
  await using w = await world(undefined, { nics });
  const two = NIC("network", "network='default'") +
    NIC("bridge", "bridge='br0'", "52:54:00:aa:bb:02");
  const t = await hot(w, nics, two);
  await w.conn.domainDetachDeviceFlags!(t.dom, NIC("network", "network='default'"), LIVE);
  assert.deepEqual([...w.taps.taps.keys()], ["vnet1"]);
  assert.equal(w.net.ports.size, 0);
  await w.conn.domainAttachDeviceFlags!(t.dom, NET1, LIVE);
  assert.deepEqual([...w.taps.taps.keys()].sort(), ["vnet1", "vnet2"]);
  const conn = await w.reopen();
  const dom = await conn.domainLookupByName!("n1");
  const live = await conn.domainGetXMLDesc!(dom, 0);
  assert.match(live, /<target dev='vnet1'\/>[\s\S]*<alias name='net1'\/>/);
  assert.match(live, /<target dev='vnet2'\/>[\s\S]*<alias name='net2'\/>/);
  await conn.domainDestroyFlags!(dom, 0);
  assert.equal(w.taps.taps.size, 0);
  assert.equal(w.net.ports.size, 0);
});

Deno.test("update-device sets a live NIC's link up and down (set_link); the same state again is no change", async () => {
  const nics = new FakeNics();
  await using w = await world(undefined, { nics });
  const down = USER0.replace("</interface>", "<link state='down'/></interface>");
  const t = await hot(w, nics, down);
  assert.equal(nics.devices.get("net0")?.up, false, "down from the start");
  await w.conn.domainUpdateDeviceFlags!(
    t.dom,
    USER0.replace("</interface>", "<link state='up'/></interface>"),
    LIVE,
  );
  assert.deepEqual(t.qmp(), [{ execute: "set_link", arguments: { name: "net0", up: true } }]);
  assert.match(await t.live(), /<link state='up'\/>/);
  await w.conn.domainUpdateDeviceFlags!(t.dom, down, LIVE);
  assert.deepEqual(t.qmp().at(-1), { execute: "set_link", arguments: { name: "net0", up: false } });
  assert.equal(nics.devices.get("net0")?.up, false);
  assert.match(
    await t.live(),
    /<model type='virtio'\/>\s*<link state='down'\/>\s*<alias name='net0'\/>/,
  );
  // The same state again changes nothing.
  await w.conn.domainUpdateDeviceFlags!(t.dom, down, LIVE);
  assert.equal(t.qmp().length, 2);
});

Deno.test("a link down at start is set before the guest runs", async () => {
  const nics = new FakeNics();
  await using w = await world(undefined, { nics });
  const dom = await w.conn.domainCreateXML!(
    domainXML(USER0.replace("</interface>", "<link state='down'/></interface>")),
    0,
  );
  const fake = [...w.launcher.instances.values()].at(-1)!;
  const cmds = fake.commands.map((c) => c.execute);
  assert.ok(cmds.includes("set_link"), cmds.join(" "));
  assert.ok(cmds.indexOf("set_link") < cmds.indexOf("cont"));
  assert.deepEqual(fake.commands.find((c) => c.execute === "set_link")?.arguments, {
    name: "net0",
    up: false,
  });
  await w.conn.domainDestroyFlags!(dom, 0);
});

Deno.test("update-device refuses what libvirt cannot change on a live NIC, with its messages", async () => {
  const nics = new FakeNics();
  await using w = await world(undefined, { nics });
  const t = await hot(w, nics, USER0 + NIC("bridge", "bridge='br0'", "52:54:00:aa:bb:02"));
  const update = (xml: string) => err(w.conn.domainUpdateDeviceFlags!(t.dom, xml, LIVE));
  const cases: [string, string][] = [
    [
      USER0.replace("virtio", "e1000"),
      "Operation not supported: cannot modify network device model from virtio to e1000",
    ],
    [
      USER0.replace("</interface>", "<target dev='tap9'/></interface>"),
      "Operation not supported: cannot modify network device tap name",
    ],
    [
      USER0.replace("</interface>", "<boot order='1'/></interface>"),
      // virDomainDefCompatibleDevice, first: the domain boots by <os><boot dev='hd'/>.
      "unsupported configuration: per-device boot elements cannot be used together with os/boot elements",
    ],
    [
      USER0.replace("</interface>", "<mtu size='9000'/></interface>"),
      "Operation not supported: cannot modify MTU",
    ],
    [
      // No MAC: the lookup goes by alias, and the parser's generated MAC is a new one.
      "<interface type='user'><model type='virtio'/><alias name='net0'/></interface>",
      "Operation not supported: cannot change network interface mac address from 52:54:00:aa:00:00 to 52:54:00:",
    ],
    [
      USER0.replace(
        "</interface>",
        "<address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0'/></interface>",
      ),
      "device not found: no device found at address '0000:00:07.0' matching MAC address '52:54:00:aa:00:00' and alias '(<null>)'",
    ],
    [
      NIC("network", "network='default'", "52:54:00:aa:00:00"),
      "Operation not supported: unable to change config on 'network' network type",
    ],
  ];
  for (const [xml, message] of cases) {
    const e = await update(xml);
    assert.ok(e.message.startsWith(message), `${e.message} / ${message}`);
    const code = message.startsWith("device not found")
      ? VIR.ERR_DEVICE_MISSING
      : message.startsWith("unsupported configuration")
      ? VIR.ERR_CONFIG_UNSUPPORTED
      : VIR.ERR_OPERATION_UNSUPPORTED;
    assert.equal(e.code, code);
  }
  assert.deepEqual(t.qmp(), []);
});

Deno.test("a NIC whose device QEMU no longer knows is removed at once, its backend with it", async () => {
  const nics = new FakeNics();
  await using w = await world(undefined, { nics });
  const t = await hot(w, nics, NIC("bridge", "bridge='br0'"));
  nics.devices.delete("net0");
  await w.conn.domainDetachDeviceFlags!(t.dom, NIC("bridge", "bridge='br0'"), LIVE);
  assert.deepEqual(t.qmp().map((c) => c.execute), ["device_del", "netdev_del"]);
  assert.equal(w.taps.taps.size, 0);
  assert.doesNotMatch(await t.live(), /<interface/);
});

Deno.test("update-device moves a live NIC to another bridge or network: the tap moves, ports follow", async () => {
  const nics = new FakeNics();
  await using w = await world(undefined, { nics, bridges: ["virbr0", "br0", "br1"] });
  const t = await hot(w, nics, NIC("bridge", "bridge='br0'", "52:54:00:aa:bb:02"));
  const update = (xml: string) => w.conn.domainUpdateDeviceFlags!(t.dom, xml, LIVE);
  await update(NIC("bridge", "bridge='br1'", "52:54:00:aa:bb:02"));
  assert.equal(w.taps.taps.get("vnet0")?.bridge, "br1");
  assert.match(await t.live(), /<source bridge='br1'\/>\s*<target dev='vnet0'\/>/);
  // Onto a network: a port of it first, then the tap to its bridge.
  await update(NIC("network", "network='default'", "52:54:00:aa:bb:02"));
  const [[portid]] = [...w.net.ports];
  assert.equal(w.taps.taps.get("vnet0")?.bridge, "virbr0");
  assert.match(
    await t.live(),
    new RegExp(
      `<interface type='network'>\\s*<mac address='52:54:00:aa:bb:02'/>\\s*` +
        `<source network='default' portid='${portid}' bridge='virbr0'/>\\s*` +
        `<target dev='vnet0'/>\\s*<model type='virtio'/>\\s*<alias name='net0'/>\\s*<address`,
    ),
  );
  // A bridge that is not there: nothing moves, the new network's port is not kept.
  const gone = await err(update(NIC("bridge", "bridge='br9'", "52:54:00:aa:bb:02")));
  assert.equal(gone.code, VIR.ERR_OPERATION_FAILED);
  assert.equal(gone.message, "operation failed: bridge br9 doesn't exist");
  assert.equal(w.taps.taps.get("vnet0")?.bridge, "virbr0");
  // Back to a bridge: the network's port goes; a stop releases what is left.
  await update(NIC("bridge", "bridge='br0'", "52:54:00:aa:bb:02"));
  assert.equal(w.net.ports.size, 0);
  assert.equal(w.taps.taps.get("vnet0")?.bridge, "br0");
  assert.deepEqual(t.qmp(), [], "QEMU keeps its tap: nothing to tell it");
  await w.conn.domainDestroyFlags!(t.dom, 0);
  assert.equal(w.taps.taps.size, 0);
});

Deno.test("a user's alias names the NIC and its backend, and may not be taken already", async () => {
  const nics = new FakeNics();
  await using w = await world(undefined, { nics });
  const t = await hot(w, nics);
  const ua = "<interface type='user'><model type='virtio'/><alias name='ua-web'/></interface>";
  await w.conn.domainAttachDeviceFlags!(t.dom, ua, LIVE);
  assert.deepEqual(t.qmp().map((c) => [c.execute, c.arguments?.id]), [
    ["netdev_add", "hostua-web"],
    ["device_add", "ua-web"],
  ]);
  const dup = await err(w.conn.domainAttachDeviceFlags!(t.dom, ua, LIVE));
  assert.equal(dup.code, VIR.ERR_CONFIG_UNSUPPORTED);
  assert.equal(dup.message, "unsupported configuration: non unique alias detected: ua-web");
  assert.equal(t.qmp().length, 2);
});

Deno.test("no unplug of a NIC sharing its PCI slot with another function", async () => {
  const nics = new FakeNics();
  await using w = await world(undefined, { nics });
  const at = (fn: number, multi = "") =>
    `<address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x${fn}'${multi}/>`;
  const two = USER0.replace("</interface>", `${at(0, " multifunction='on'")}</interface>`) +
    USER0.replace("aa:00:00", "aa:00:01").replace("</interface>", `${at(1)}</interface>`);
  const t = await hot(w, nics, two);
  const e = await err(w.conn.domainDetachDeviceFlags!(t.dom, USER0, LIVE));
  assert.equal(e.code, VIR.ERR_OPERATION_FAILED);
  assert.equal(
    e.message,
    "operation failed: cannot hot unplug net device with multifunction PCI guest address: 0000:00:07.0",
  );
});

Deno.test("a NIC QEMU let go while the driver was away is removed when it comes back", async () => {
  const nics = new FakeNics({ unplug: "hold" });
  await using w = await world(undefined, { nics });
  const t = await hot(w, nics, USER0 + NIC("network", "network='default'", "52:54:00:aa:bb:02"));
  const nic = NIC("network", "network='default'", "52:54:00:aa:bb:02");
  await w.conn.domainDetachDeviceFlags!(t.dom, nic, LIVE);
  assert.equal(w.taps.taps.size, 1, "waiting for the guest");
  // The guest lets go with nobody listening: the event is lost.
  const conn = await w.reopen(() => Promise.resolve(nics.release()));
  const live = await conn.domainGetXMLDesc!(await conn.domainLookupByName!("n1"), 0);
  assert.doesNotMatch(live, /type='network'/);
  assert.match(live, /<alias name='net0'\/>/);
  assert.equal(w.taps.taps.size, 0);
  assert.equal(w.net.ports.size, 0);
  assert.equal(nics.netdevs.has("hostnet1"), false);
});

Deno.test("an unprivileged driver plugs a bridge NIC through QEMU's bridge helper; its tap stays put", async () => {
  const nics = new FakeNics();
  await using w = await world(undefined, { nics, privileged: false, bridges: ["br0", "br1"] });
  w.taps.held = [{ name: "tap0", ifindex: 7 }];
  const t = await hot(w, nics, NIC("bridge", "bridge='br0'", "52:54:00:aa:bb:02"));
  // QEMU ran the helper once more for the new NIC: the tap it holds that no NIC has is its.
  w.taps.held.push({ name: "tap1", ifindex: 9 });
  await w.conn.domainAttachDeviceFlags!(t.dom, NIC("bridge", "bridge='br1'"), LIVE);
  assert.deepEqual(t.qmp()[0], {
    execute: "netdev_add",
    arguments: {
      type: "bridge",
      id: "hostnet1",
      br: "br1",
      helper: "/usr/lib/qemu/qemu-bridge-helper",
    },
  });
  assert.match(await t.live(), /<source bridge='br1'\/>\s*<target dev='tap1'\/>/);
  assert.equal(w.taps.taps.size, 0, "the driver made no tap itself");
  // A user may not move the helper's tap to another bridge (EPERM, as libvirt's session).
  const moved = await err(
    w.conn.domainUpdateDeviceFlags!(
      t.dom,
      NIC("bridge", "bridge='br1'", "52:54:00:aa:bb:02"),
      LIVE,
    ),
  );
  assert.deepEqual([moved.code, moved.message], [
    VIR.ERR_SYSTEM_ERROR,
    "Unable to remove bridge br0 port tap0: Operation not permitted",
  ]);
  assert.match(await t.live(), /<source bridge='br0'\/>\s*<target dev='tap0'\/>/);
});

Deno.test("q35: an e1000 attached live takes the next slot of the pcie-to-pci-bridge, none is no slot", async () => {
  const nics = new FakeNics();
  await using w = await world(undefined, { nics });
  const E1000 = (mac: string) =>
    `<interface type='user'><mac address='${mac}'/><model type='e1000'/></interface>`;
  // libvirt 9.0's answers to the same steps (its session daemon, attach-device --live). Started
  // with an e1000: libvirt's bridge (index 2, in root port 1) holds it in slot 1.
  const h = await hot(w, nics, E1000("52:54:00:aa:00:00"), "q35");
  await w.conn.domainAttachDeviceFlags!(h.dom, E1000("52:54:00:aa:00:01"), LIVE);
  const add = h.qmp().find((c) => c.execute === "device_add")!;
  assert.deepEqual([add.arguments?.driver, add.arguments?.bus, add.arguments?.addr], [
    "e1000",
    "pci.2",
    "0x2",
  ]);
  assert.match(
    await h.live(),
    /52:54:00:aa:00:01'\/>[^]*?<address type='pci' domain='0x0000' bus='0x02' slot='0x02'/,
  );
  // A q35 domain started without one gets no bridge while it runs.
  const otherNics = new FakeNics();
  await using other = await world(undefined, { nics: otherNics });
  const plain = await hot(other, otherNics, USER0, "q35");
  const e = await err(
    other.conn.domainAttachDeviceFlags!(plain.dom, E1000("52:54:00:aa:00:02"), LIVE),
  );
  assert.deepEqual([e.code, e.message], [
    VIR.ERR_INTERNAL_ERROR,
    "internal error: No more available PCI slots",
  ]);
  assert.equal(plain.qmp().filter((c) => c.execute === "device_add").length, 0);
});
