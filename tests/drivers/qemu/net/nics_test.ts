import assert from "node:assert/strict";
import { VIR } from "../../../../util/constants.ts";
import { VirError } from "../../../../util/errors.ts";
import { storageDriver } from "../../../../drivers/storage/mod.ts";
import { domainXML, NETWORK_AND_BRIDGE, NIC, UUID, type World, world } from "./nic_world.ts";

const argvOf = (w: World) => w.launcher.launches.at(-1)!;
const after = (argv: string[], flag: string, n = 0) =>
  argv.filter((_, i) => argv[i - 1] === flag)[n];
const err = async (p: Promise<unknown>) => (await p.then(() => undefined, (e) => e)) as VirError;

Deno.test("a network NIC holds a port of its network and a vnetN tap on the network's bridge", async () => {
  await using w = await world();
  const dom = await w.conn.domainCreateXML!(
    domainXML(NIC("network", "network='default'")),
    0,
  );
  const argv = argvOf(w);
  assert.equal(after(argv, "-netdev"), "tap,id=hostnet0,ifname=vnet0,script=no,downscript=no");
  assert.ok(
    argv.includes(
      "virtio-net-pci,netdev=hostnet0,id=net0,mac=52:54:00:aa:bb:01,bus=pci.0,addr=0x2",
    ),
    argv.join(" "),
  );
  assert.deepEqual([...w.taps.taps], [[
    "vnet0",
    { mac: "fe:54:00:aa:bb:01", bridge: "virbr0", mtu: 1500 },
  ]]);
  // The port as libvirt's virNetworkPortDefFormat writes it: owner, MAC, no plug yet.
  const [[portid, port]] = [...w.net.ports];
  assert.equal(port.flags, 0);
  assert.match(
    port.xml,
    new RegExp(
      `<networkport>\\s*<uuid>${portid}</uuid>\\s*<owner>\\s*<name>n1</name>\\s*` +
        `<uuid>${UUID}</uuid>\\s*</owner>\\s*<mac address='52:54:00:aa:bb:01'/>`,
    ),
  );
  const live = await w.conn.domainGetXMLDesc!(dom, 0);
  assert.match(
    live,
    new RegExp(
      `<interface type='network'>\\s*<mac address='52:54:00:aa:bb:01'/>\\s*` +
        `<source network='default' portid='${portid}' bridge='virbr0'/>\\s*` +
        `<target dev='vnet0'/>\\s*<model type='virtio'/>\\s*<alias name='net0'/>`,
    ),
  );
  await w.conn.domainDestroyFlags!(dom, 0);
  assert.equal(w.taps.taps.size, 0, "the tap goes with the domain");
  assert.equal(w.net.ports.size, 0, "the port goes with the domain");
});

Deno.test("the inactive XML of a running network NIC names neither port nor tap", async () => {
  await using w = await world();
  const dom = await w.conn.domainDefineXMLFlags!(
    domainXML(NIC("network", "network='default' portgroup='web'")),
    0,
  );
  await w.conn.domainCreateWithFlags!(dom, 0);
  const inactive = await w.conn.domainGetXMLDesc!(dom, VIR.DOMAIN_XML_INACTIVE);
  assert.match(inactive, /<source network='default' portgroup='web'\/>/);
  assert.doesNotMatch(inactive, /portid|vnet0/);
  assert.match([...w.net.ports.values()][0].xml, /<group>web<\/group>/);
  const live = await w.conn.domainGetXMLDesc!(dom, 0);
  assert.match(
    live,
    /<source network='default' portgroup='web' portid='[0-9a-f-]{36}' bridge='virbr0'\/>/,
  );
  await w.conn.domainDestroyFlags!(dom, 0);
});

Deno.test("a network forwarding to a host bridge shows the NIC as libvirt's actual type bridge", async () => {
  await using w = await world({
    lan: {
      uuid: "0d0e0f10-1111-4222-8333-444455556667",
      active: true,
      bridge: "br0",
      plug: "bridge",
    },
  });
  const dom = await w.conn.domainCreateXML!(domainXML(NIC("network", "network='lan'")), 0);
  const live = await w.conn.domainGetXMLDesc!(dom, 0);
  assert.match(
    live,
    /<interface type='bridge'>[^]*<source network='lan' portid='[^']+' bridge='br0'\/>/,
  );
  assert.equal(w.taps.taps.get("vnet0")?.bridge, "br0");
  await w.conn.domainDestroyFlags!(dom, 0);
  assert.equal(w.net.ports.size, 0);
});

Deno.test("bridge NICs: one vnetN per NIC, counted on across domains, gone at stop", async () => {
  await using w = await world();
  const a = await w.conn.domainCreateXML!(
    domainXML(
      NIC("bridge", "bridge='br0'", "52:54:00:aa:bb:01") +
        NIC("bridge", "bridge='virbr0'", "52:54:00:aa:bb:02", "<boot order='1'/>"),
    ),
    0,
  );
  const argv = argvOf(w);
  assert.equal(after(argv, "-netdev", 1), "tap,id=hostnet1,ifname=vnet1,script=no,downscript=no");
  assert.ok(
    argv.includes(
      "virtio-net-pci,netdev=hostnet1,id=net1,mac=52:54:00:aa:bb:02,bus=pci.0,addr=0x3,bootindex=1",
    ),
  );
  const live = await w.conn.domainGetXMLDesc!(a, 0);
  assert.match(live, /<source bridge='br0'\/>\s*<target dev='vnet0'\/>/);
  assert.match(live, /<source bridge='virbr0'\/>\s*<target dev='vnet1'\/>/);
  const b = await w.conn.domainCreateXML!(
    domainXML(NIC("bridge", "bridge='br0'", "52:54:00:aa:bb:03"), "n2", crypto.randomUUID()),
    0,
  );
  assert.deepEqual([...w.taps.taps.keys()], ["vnet0", "vnet1", "vnet2"]);
  await w.conn.domainDestroyFlags!(a, 0);
  assert.deepEqual([...w.taps.taps.keys()], ["vnet2"]);
  await w.conn.domainDestroyFlags!(b, 0);
  assert.equal(w.taps.taps.size, 0);
  // The inactive config never keeps a generated name.
  const again = await w.conn.domainCreateXML!(domainXML(NIC("bridge", "bridge='br0'")), 0);
  assert.match(await w.conn.domainGetXMLDesc!(again, 0), /<target dev='vnet3'\/>/);
  await w.conn.domainDestroyFlags!(again, 0);
});

Deno.test("a NIC that cannot start refuses the start with libvirt's error and leaves nothing", async () => {
  await using w = await world({
    default: { uuid: "0d0e0f10-1111-4222-8333-444455556666", active: true, bridge: "virbr0" },
    off: { uuid: "0d0e0f10-1111-4222-8333-444455556668", active: false, bridge: "virbr1" },
  });
  const start = (nics: string) => err(w.conn.domainCreateXML!(domainXML(nics), 0));

  const missing = await start(NIC("network", "network='nope'"));
  assert.deepEqual(
    [missing.code, missing.domain, missing.message],
    [43, 19, "Network not found: no network with matching name 'nope'"],
  );
  const inactive = await start(NIC("network", "network='off'"));
  assert.deepEqual(
    [inactive.code, inactive.message],
    [VIR.ERR_OPERATION_INVALID, "Requested operation is not valid: network 'off' is not active"],
  );
  // The first NIC's port and tap go again when the second cannot be plugged.
  const noBridge = await start(
    NIC("network", "network='default'") + NIC("bridge", "bridge='br9'", "52:54:00:aa:bb:02"),
  );
  assert.equal(noBridge.message, "Cannot get interface MTU on 'br9': No such device");
  // A PCI function given to the guest needs VFIO, which this driver never starts.
  const hostdev = await start(
    NIC("network", "network='default'") +
      "<interface type='hostdev'><source><address type='pci' domain='0x0000' bus='0x03' " +
      "slot='0x10' function='0x1'/></source></interface>",
  );
  assert.deepEqual(
    [hostdev.code, hostdev.message],
    [
      VIR.ERR_CONFIG_UNSUPPORTED,
      "unsupported configuration: interface type 'hostdev' is not supported with this QEMU binary",
    ],
  );
  // libvirt would copy the guest's receive filter to the tap; edgevirt cannot, so it refuses.
  const trusting = await start(
    "<interface type='network' trustGuestRxFilters='yes'><source network='default'/></interface>",
  );
  assert.deepEqual(
    [trusting.code, trusting.message],
    [
      VIR.ERR_CONFIG_UNSUPPORTED,
      "unsupported configuration: trustGuestRxFilters is not supported with this QEMU binary",
    ],
  );
  assert.equal(w.taps.taps.size, 0);
  assert.equal(w.net.ports.size, 0);
  assert.equal(w.launcher.launches.length, 0, "no QEMU was started");
  assert.deepEqual(await w.conn.connectListAllDomains!(0), []);
});

Deno.test("without a network driver a network NIC is refused as libvirt's virGetConnectNetwork", async () => {
  await using w = await world(undefined, { secondaries: [storageDriver] });
  const e = await err(w.conn.domainCreateXML!(domainXML(NIC("network", "network='default'")), 0));
  assert.deepEqual(
    [e.code, e.message],
    [
      VIR.ERR_NO_CONNECT,
      `no connection driver available for network://${Deno.uid() === 0 ? "/system" : "/session"}`,
    ],
  );
});

Deno.test("an unprivileged driver has QEMU run the bridge helper and names its taps", async () => {
  await using w = await world(undefined, { privileged: false });
  // What the kernel says QEMU holds once it ran the helper twice (tap0 made first).
  w.taps.held = [{ name: "tap1", ifindex: 8 }, { name: "tap0", ifindex: 7 }];
  const dom = await w.conn.domainCreateXML!(domainXML(NETWORK_AND_BRIDGE), 0);
  const argv = argvOf(w);
  const helper = "helper=/usr/lib/qemu/qemu-bridge-helper";
  assert.equal(after(argv, "-netdev"), `bridge,id=hostnet0,br=virbr0,${helper}`);
  assert.equal(after(argv, "-netdev", 1), `bridge,id=hostnet1,br=br0,${helper}`);
  assert.equal(w.taps.taps.size, 0, "the driver made no tap itself");
  const live = await w.conn.domainGetXMLDesc!(dom, 0);
  assert.deepEqual([...live.matchAll(/<target dev='([^']+)'\/>/g)].map((m) => m[1]), [
    "tap0",
    "tap1",
  ]);
  await w.conn.domainDestroyFlags!(dom, 0);
  assert.equal(w.net.ports.size, 0, "the port goes with the domain");
});

Deno.test("an unprivileged driver never guesses a tap QEMU does not hold", async () => {
  await using w = await world(undefined, { privileged: false });
  const e = await err(w.conn.domainCreateXML!(domainXML(NIC("bridge", "bridge='br0'")), 0));
  assert.ok(e instanceof VirError, String(e));
  assert.equal(e.code, VIR.ERR_INTERNAL_ERROR);
  assert.match(e.message, /QEMU holds 0 new tap\(s\) of the bridge helper, expected 1/);
  assert.equal(w.net.ports.size, 0);
  assert.equal((await w.conn.connectListAllDomains!(0)).length, 0);
});

Deno.test("a restarted driver finds its taps and ports again and reclaims a lost port", async () => {
  await using w = await world();
  await w.conn.domainCreateXML!(
    domainXML(NETWORK_AND_BRIDGE),
    0,
  );
  const [portid] = [...w.net.ports.keys()];
  await w.reopen();
  assert.equal(w.net.ports.get(portid)?.flags, 0, "a port the network still has is kept");
  // The network driver lost the port (its own restart): the next restart creates it again.
  w.net.ports.clear();
  const conn = await w.reopen();
  assert.equal(w.net.ports.get(portid)?.flags, VIR.NETWORK_PORT_CREATE_RECLAIM);
  assert.match(w.net.ports.get(portid)!.xml, /<plug type='network' bridge='virbr0'\/>/);
  const [dom] = await conn.connectListAllDomains!(0);
  const live = await conn.domainGetXMLDesc!(dom, 0);
  assert.match(live, new RegExp(`portid='${portid}' bridge='virbr0'/>\\s*<target dev='vnet0'/>`));
  assert.match(live, /<source bridge='br0'\/>\s*<target dev='vnet1'\/>/);
  await conn.domainDestroyFlags!(dom, 0);
  assert.equal(w.taps.taps.size, 0);
  assert.equal(w.net.ports.size, 0);
});

Deno.test("the secondary connections open on first need and close with the driver state", async () => {
  await using w = await world();
  assert.equal(w.net.opened, 1, "the composed connection's own network connection only");
  const dom = await w.conn.domainCreateXML!(domainXML(NIC("network", "network='default'")), 0);
  await w.conn.domainDestroyFlags!(dom, 0);
  await w.conn.domainCreateXML!(domainXML(NIC("network", "network='default'")), 0);
  assert.equal(w.net.opened, 2, "one more for the driver, kept for the next domain");
  await w.conn.connectClose();
  assert.equal(w.net.closed, 2);
});

Deno.test("domifaddr: leases of the NIC's network by MAC, ARP, and the agent's refusal", async () => {
  await using w = await world({
    default: {
      uuid: "0d0e0f10-1111-4222-8333-444455556666",
      active: true,
      bridge: "virbr0",
      leases: [
        { mac: "52:54:00:aa:bb:01", type: 0, ipaddr: "192.168.122.10", prefix: 24 },
        { mac: "52:54:00:ff:ff:ff", type: 0, ipaddr: "192.168.122.99", prefix: 24 },
      ],
    },
  });
  const dom = await w.conn.domainCreateXML!(
    domainXML(NETWORK_AND_BRIDGE),
    0,
  );
  assert.deepEqual(
    await w.conn.domainInterfaceAddresses!(dom, VIR.DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE, 0),
    [{
      name: "vnet0",
      hwaddr: "52:54:00:aa:bb:01",
      addrs: [{ type: 0, addr: "192.168.122.10", prefix: 24 }],
    }],
  );
  // No neighbour of this host has the test's MACs.
  assert.deepEqual(
    await w.conn.domainInterfaceAddresses!(dom, VIR.DOMAIN_INTERFACE_ADDRESSES_SRC_ARP, 0),
    [],
  );
  const agent = await err(
    w.conn.domainInterfaceAddresses!(dom, VIR.DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT, 0),
  );
  assert.equal(agent.message, "argument unsupported: QEMU guest agent is not configured");
  const bad = await err(w.conn.domainInterfaceAddresses!(dom, 7, 0));
  assert.equal(bad.message, "argument unsupported: Unknown IP address data source 7");
  await w.conn.domainDestroyFlags!(dom, 0);
  const off = await err(
    w.conn.domainInterfaceAddresses!(dom, VIR.DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE, 0),
  );
  assert.equal(off.code, VIR.ERR_NO_DOMAIN, "a transient domain is gone once stopped");
});

Deno.test("an autostarted domain gets its port and tap through the state's secondaries", async () => {
  await using w = await world();
  const dom = await w.conn.domainDefineXMLFlags!(
    domainXML(NIC("network", "network='default'")),
    0,
  );
  await w.conn.domainSetAutostart!(dom, true);
  // A new boot of the host: the run directory forgets that autostart ran.
  await Deno.remove(`${w.dir}/run/qemu/autostarted`);
  const conn = await w.reopen();
  const [running] = await conn.connectListAllDomains!(VIR.CONNECT_LIST_DOMAINS_ACTIVE);
  assert.equal(running?.name, "n1");
  assert.equal(w.net.ports.size, 1);
  assert.deepEqual([...w.taps.taps.keys()], ["vnet0"]);
  await conn.domainDestroyFlags!(running, 0);
  assert.equal(w.net.ports.size, 0);
});

Deno.test("a domain whose QEMU died while the driver was away loses its taps and ports", async () => {
  await using w = await world();
  await w.conn.domainCreateXML!(
    domainXML(NETWORK_AND_BRIDGE),
    0,
  );
  const conn = await w.reopen(async () => {
    for (const pid of w.launcher.alive()) await w.launcher.reap(pid);
  });
  assert.deepEqual(await conn.connectListAllDomains!(0), []);
  assert.equal(w.taps.taps.size, 0);
  assert.equal(w.net.ports.size, 0);
});

Deno.test("NIC settings the start cannot honour are refused, not dropped", async () => {
  await using w = await world();
  const start = (extra: string) =>
    err(w.conn.domainCreateXML!(domainXML(NIC("bridge", "bridge='br0'", undefined, extra)), 0));
  for (
    const [extra, name] of [
      ["<mtu size='9000'/>", "mtu"],
      ["<driver name='vhost' queues='4'/>", "driver"],
      ["<rom bar='off'/>", "rom"],
    ]
  ) {
    const e = await start(extra);
    assert.equal(
      e.message,
      `unsupported configuration: interface <${name}> is not supported with this QEMU binary`,
    );
  }
  // A user NIC has no host side to shape (libvirt only warns).
  const user = await err(
    w.conn.domainCreateXML!(
      domainXML(
        "<interface type='user'><bandwidth><inbound average='1000'/></bandwidth></interface>",
      ),
      0,
    ),
  );
  assert.equal(
    user.message,
    "unsupported configuration: interface <bandwidth> is not supported with this QEMU binary",
  );
  assert.equal(w.taps.taps.size, 0);
  // What the start does anyway may be said.
  const dom = await w.conn.domainCreateXML!(
    domainXML(NIC("bridge", "bridge='br0'", undefined, "<link state='up'/><driver name='qemu'/>")),
    0,
  );
  await w.conn.domainDestroyFlags!(dom, 0);
});

Deno.test("a tap gets its bridge's MTU, so enslaving it never lowers the bridge's", async () => {
  await using w = await world(undefined, { bridges: ["jumbo0"] });
  const dom = await w.conn.domainCreateXML!(domainXML(NIC("bridge", "bridge='jumbo0'")), 0);
  assert.equal(w.taps.taps.get("vnet0")?.mtu, 9000);
  await w.conn.domainDestroyFlags!(dom, 0);
});
