/**
 * The host network driver with a fake host (tests/drivers/network/fake_runner.ts): the
 * commands it runs to start and stop networks, the files it keeps, libvirt's errors, updates,
 * leases, ports, autostart and reload. The real host runs in network_netns_test.ts.
 */
import assert from "node:assert/strict";
import { errorsOf, withRoot } from "../secondary_helpers.ts";
import { VIR } from "../../../util/constants.ts";
import type { DriverEvent } from "../../../util/driver.ts";
import { networkDriver } from "../../../drivers/network/mod.ts";
import { parseNetworkXML } from "../../../conf/network/mod.ts";
import { dnsmasqContents } from "../../../drivers/network/dnsmasq_conf.ts";
import { FakeHost, withNet } from "./fake_runner.ts";
import { pathExists } from "../../../util/config_files.ts";

const rejectsWith = errorsOf(VIR.FROM_NETWORK);

const NAT = `<network><name>n1</name><uuid>3e3fce45-4f53-4fa7-bb32-11f34168b82b</uuid>
  <forward mode='nat'/>
  <ip address='192.168.150.1' netmask='255.255.255.0'>
    <dhcp><range start='192.168.150.2' end='192.168.150.254'/>
      <host mac='52:54:00:00:00:10' name='vm1' ip='192.168.150.10'/></dhcp>
  </ip></network>`;

const PORT = (uuid: string, mac = "52:54:00:7b:35:93") =>
  `<networkport><uuid>${uuid}</uuid><owner><name>vm1</name>` +
  `<uuid>d54df46f-1ab5-4a22-8618-4560ef5fac2c</uuid></owner><mac address='${mac}'/></networkport>`;
const PORT1 = "5d744f21-ba4a-4d6e-bdb2-30a35ff3207d";

Deno.test("define assigns virbr0 and a MAC, saves the config; start builds it in libvirt's order", async () => {
  await withNet(async (conn, host, root) => {
    const events: DriverEvent[] = [];
    conn.subscribe?.((e) => events.push(e));
    const net = await conn.networkDefineXMLFlags!(NAT, 0);
    const xml = await conn.networkGetXMLDesc!(net, 0);
    assert.match(xml, /<bridge name='virbr0' stp='on' delay='0'\/>/);
    const mac = xml.match(/<mac address='(52:54:00:[0-9a-f:]{8})'\/>/)![1];
    assert.equal(await Deno.readTextFile(`${root}/etc/network/n1.xml`), xml);
    assert.deepEqual(await conn.connectListDefinedNetworks!(), ["n1"]);
    host.take();

    await conn.networkCreate!(net);
    const cmds = host.take();
    const at = (re: RegExp) => cmds.findIndex((c) => re.test(c));
    assert.deepEqual(cmds.slice(0, 2), [
      "ip -4 -j route show table main",
      `ip link add name virbr0 address ${mac} type bridge`,
    ]);
    assert.ok(at(/forward_delay 0$/) < at(/stp_state 1$/));
    assert.ok(at(/^sysctl -w net.ipv6.conf.virbr0.disable_ipv6=1$/) > 0);
    assert.ok(
      at(
        /LIBVIRT_PRT --source 192.168.150.0\/24 ! --destination 192.168.150.0\/24 --jump MASQUERADE$/,
      ) > 0,
    );
    const addr = at(/^ip addr add 192.168.150.1\/24 broadcast 192.168.150.255 dev virbr0$/);
    assert.ok(at(/LIBVIRT_FWX/) < addr && addr < at(/^ip link set dev virbr0 up$/));
    assert.ok(at(/^sysctl -w net.ipv4.ip_forward=1$/) < at(/dnsmasq/));
    const dnsmasqCmd = cmds[at(/dnsmasq/)];
    const dir = `${root}/run/network/dnsmasq`;
    assert.equal(
      dnsmasqCmd,
      `/usr/sbin/dnsmasq --conf-file=${dir}/n1.conf --dhcp-leasefile=${dir}/n1.leases`,
    );
    const live = await conn.networkGetXMLDesc!(net, 0);
    const want = dnsmasqContents(parseNetworkXML(live), {
      pidFile: `${root}/run/network/n1.pid`,
      hostsFile: `${dir}/n1.hostsfile`,
      addnHostsFile: `${dir}/n1.addnhosts`,
    });
    assert.equal(await Deno.readTextFile(`${dir}/n1.conf`), want.conf);
    assert.equal(
      await Deno.readTextFile(`${dir}/n1.hostsfile`),
      "52:54:00:00:00:10,192.168.150.10,vm1\n",
    );
    assert.match(want.conf, /dhcp-range=192.168.150.2,192.168.150.254,255.255.255.0\n/);
    assert.equal(host.processes.size, 1);
    assert.ok(await pathExists(`${root}/run/network/n1.xml`));
    assert.equal(await conn.networkIsActive!(net), true);
    assert.equal(await conn.networkGetBridgeName!(net), "virbr0");

    await conn.networkDestroy!(net);
    assert.equal(host.processes.size, 0);
    assert.deepEqual(host.leftovers(), []);
    for (const f of ["n1.pid", "n1.xml", "dnsmasq/n1.conf", "dnsmasq/n1.hostsfile"]) {
      assert.ok(!(await pathExists(`${root}/run/network/${f}`)), f);
    }
    assert.deepEqual(
      events.map((e) => (e.data as { event: number }).event),
      [VIR.NETWORK_EVENT_DEFINED, VIR.NETWORK_EVENT_STARTED, VIR.NETWORK_EVENT_STOPPED],
    );
    await conn.networkUndefine!(net);
    assert.ok(!(await pathExists(`${root}/etc/network/n1.xml`)));
  });
});

Deno.test("bridge names: the next free virbrN, a taken name refused, a host device skipped", async () => {
  const host = new FakeHost();
  host.devices.add("virbr1");
  await withNet(async (conn) => {
    await conn.networkDefineXMLFlags!("<network><name>a</name></network>", 0);
    const b = await conn.networkDefineXMLFlags!("<network><name>b</name></network>", 0);
    assert.match(await conn.networkGetXMLDesc!(b, 0), /<bridge name='virbr2'/);
    await rejectsWith(
      conn.networkDefineXMLFlags!("<network><name>c</name><bridge name='virbr0'/></network>", 0),
      VIR.ERR_INTERNAL_ERROR,
      "internal error: bridge name 'virbr0' already in use.",
    );
  }, host);
});

Deno.test("a failing step leaves nothing behind and reports the kernel's reason", async () => {
  const host = new FakeHost();
  host.failOn = /^ip addr add/;
  await withNet(async (conn, host, root) => {
    const net = await conn.networkDefineXMLFlags!(NAT, 0);
    await assert.rejects(conn.networkCreate!(net), (e: Error) => {
      assert.equal(
        e.message,
        "Failed to add IP address 192.168.150.1/24 bcast 192.168.150.255 to virbr0: Operation not permitted",
      );
      return true;
    });
    assert.deepEqual(host.leftovers(), []);
    assert.equal(await conn.networkIsActive!(net), false);
    assert.ok(!(await pathExists(`${root}/run/network/n1.xml`)));
    // A transient network that fails to start does not stay behind.
    host.failOn = /^ip link add/;
    await assert.rejects(
      conn.networkCreateXML!(NAT.replace("n1", "t1").replace(/<uuid>.*<\/uuid>/, ""), 0),
      /error creating bridge interface virbr1: Operation not permitted/,
    );
    assert.deepEqual(await conn.connectListNetworks!(), []);
    assert.deepEqual(await conn.connectListDefinedNetworks!(), ["n1"]);
  }, host);
});

Deno.test("a network already routed on the host is refused before anything is made", async () => {
  const host = new FakeHost();
  host.routes = [{ dst: "192.168.150.0/24", dev: "eth0" }];
  await withNet(async (conn, host) => {
    const net = await conn.networkDefineXMLFlags!(NAT, 0);
    host.take();
    await rejectsWith(
      conn.networkCreate!(net),
      VIR.ERR_INTERNAL_ERROR,
      "internal error: Network is already in use by interface eth0",
    );
    assert.deepEqual(host.take(), ["ip -4 -j route show table main"]);
  }, host);
});

Deno.test("IPv6 forwarding is refused where it would flush the host's RA routes", async () => {
  const host = new FakeHost();
  const routes = [{ dst: "default", dev: "eth0", protocol: "ra" }];
  host.answers.set("ip -6 -j route show table all", {
    code: 0,
    stdout: JSON.stringify(routes),
    stderr: "",
  });
  host.answers.set("sysctl -n net.ipv6.conf.eth0.accept_ra", {
    code: 0,
    stdout: "1\n",
    stderr: "",
  });
  await withNet(async (conn, host) => {
    const net = await conn.networkDefineXMLFlags!(
      "<network><name>v6</name><forward mode='route'/><ip family='ipv6' address='fd00:1::1' prefix='64'/></network>",
      0,
    );
    await assert.rejects(
      conn.networkCreate!(net),
      /^VirError: internal error: Check the host setup: interface eth0 has kernel autoconfigured IPv6 routes/,
    );
    assert.ok(!host.devices.has("virbr0"));
    assert.ok(!host.commands.some((c) => c.includes("forwarding=1")));
  }, host);
});

Deno.test("libvirt's errors: not active, transient undefine/autostart, unknown network", async () => {
  await withNet(async (conn) => {
    const net = await conn.networkDefineXMLFlags!(NAT, 0);
    await rejectsWith(
      conn.networkDestroy!(net),
      VIR.ERR_OPERATION_INVALID,
      "Requested operation is not valid: network 'n1' is not active",
    );
    await conn.networkCreate!(net);
    await rejectsWith(
      conn.networkCreate!(net),
      VIR.ERR_OPERATION_INVALID,
      "Requested operation is not valid: network is already active",
    );
    await rejectsWith(
      conn.networkLookupByName!("nope"),
      VIR.ERR_NO_NETWORK,
      "Network not found: no network with matching name 'nope'",
    );
    // Undefining a running network makes it transient; it goes away when stopped.
    await conn.networkUndefine!(net);
    assert.equal(await conn.networkIsPersistent!(net), false);
    await rejectsWith(
      conn.networkSetAutostart!(net, true),
      VIR.ERR_OPERATION_INVALID,
      "Requested operation is not valid: cannot set autostart for transient network",
    );
    await rejectsWith(
      conn.networkUndefine!(net),
      VIR.ERR_OPERATION_INVALID,
      "Requested operation is not valid: can't undefine transient network",
    );
    await conn.networkDestroy!(net);
    assert.deepEqual(await conn.connectListAllNetworks!(0), []);
  });
});

Deno.test("without dnsmasq a network does not start, and leaves nothing behind", async () => {
  const host = new FakeHost();
  const dir = "/run/network/dnsmasq";
  const argv = (root: string) =>
    `/usr/sbin/dnsmasq --conf-file=${root}${dir}/n1.conf --dhcp-leasefile=${root}${dir}/n1.leases`;
  await withNet(async (conn, host, root) => {
    host.answers.set(argv(root), { code: 127, stdout: "", stderr: "Cannot find program" });
    const net = await conn.networkDefineXMLFlags!(NAT, 0);
    await assert.rejects(conn.networkCreate!(net), (e: Error & { code: number }) => {
      assert.equal(e.code, VIR.ERR_SYSTEM_ERROR);
      assert.equal(
        e.message,
        "Cannot check dnsmasq binary /usr/sbin/dnsmasq: No such file or directory",
      );
      return true;
    });
    assert.deepEqual(host.leftovers(), []);
  }, host);
});

Deno.test("what cannot be honoured is refused: macvtap modes", async () => {
  await withNet(async (conn) => {
    const vepa = await conn.networkDefineXMLFlags!(
      "<network><name>v</name><forward mode='vepa'><interface dev='eth0'/></forward></network>",
      0,
    );
    await rejectsWith(
      conn.networkCreate!(vepa),
      VIR.ERR_CONFIG_UNSUPPORTED,
      "unsupported configuration: network 'v' with forward mode 'vepa' is not supported by this network driver",
    );
  });
});

const QOS = `<network><name>q</name><bridge name='virbrq'/><bandwidth>
<inbound average='1000' peak='2000' burst='64'/><outbound average='500'/></bandwidth></network>`;

Deno.test("a network's <bandwidth> shapes its bridge as libvirt's hierarchy, cleared at stop", async () => {
  await withNet(async (conn, host) => {
    const net = await conn.networkDefineXMLFlags!(QOS, 0);
    host.take();
    await conn.networkCreate!(net);
    const tc = host.take().filter((c) => c.startsWith("tc "));
    // virNetDevBandwidthSet(bridge, bw, hierarchical, swapped): cleared first, the network's
    // inbound as the bridge's egress under the 1:1 root class, its outbound as ingress police.
    assert.deepEqual(tc, [
      "tc qdisc del dev virbrq root",
      "tc qdisc del dev virbrq ingress",
      "tc qdisc add dev virbrq root handle 1: htb default 2",
      "tc class add dev virbrq parent 1: classid 1:1 htb rate 1000kbps ceil 2000kbps quantum 85",
      "tc class add dev virbrq parent 1:1 classid 1:2 htb rate 1000kbps ceil 2000kbps burst 64kb quantum 85",
      "tc qdisc add dev virbrq parent 1:2 handle 2: sfq perturb 10",
      "tc filter add dev virbrq parent 1:0 protocol all prio 1 handle 1 fw flowid 1",
      "tc qdisc add dev virbrq ingress",
      "tc filter add dev virbrq parent ffff: protocol all u32 match u32 0 0 police rate 500kbps burst 500kb mtu 64kb drop flowid :1",
    ]);
    // A port's floor is checked as libvirt's networkCheckBandwidth, then plugged into a class
    // of its own under 1:1 (fixtures/libvirt_floor/ has libvirt's commands for many more).
    const floor = (n: number) =>
      PORT(PORT1).replace(
        "</networkport>",
        `<bandwidth><inbound average='10' floor='${n}'/></bandwidth></networkport>`,
      );
    await rejectsWith(
      conn.networkPortCreateXML!(net, floor(3000), 0),
      VIR.ERR_OPERATION_INVALID,
      "Requested operation is not valid: Cannot plug '52:54:00:7b:35:93' interface into 'virbrq' because new combined inbound floor=3000 would overcommit peak=2000 on network 'q'",
    );
    assert.deepEqual(host.take().filter((c) => c.startsWith("tc ")), []);
    const port = await conn.networkPortCreateXML!(net, floor(100), 0);
    assert.deepEqual(host.take().filter((c) => c.startsWith("tc ")), [
      "tc class add dev virbrq parent 1:1 classid 1:3 htb rate 100kbps ceil 2000kbps quantum 1",
      "tc qdisc add dev virbrq parent 1:3 handle 3: sfq perturb 10",
      "tc filter add dev virbrq protocol ip prio 2 handle 800::803 u32 match u16 0x0800 0xffff at -2 match u32 0x007b3593 0xffffffff at -12 match u16 0x5254 0xffff at -14 flowid 1:3",
      "tc class change dev virbrq classid 1:2 htb rate 1900kbps ceil 2000kbps quantum 85",
    ]);
    assert.match(await conn.networkPortGetXMLDesc!(port, 0), /<bandwidth classID='3'>/);
    await conn.networkDestroy!(net);
    assert.deepEqual(host.take().filter((c) => c.startsWith("tc ")), [
      "tc qdisc del dev virbrq root",
      "tc qdisc del dev virbrq ingress",
    ]);
  });
});

Deno.test("a bridge tc refuses: libvirt's error, the network not started and its bridge gone", async () => {
  await withNet(async (conn, host) => {
    const net = await conn.networkDefineXMLFlags!(QOS, 0);
    host.failOn = /^tc qdisc add dev virbrq parent 1:2 handle 2: sfq/;
    // libvirt's virCommand error (VIR_FROM_NONE), tc's stderr as it came, newline and all.
    await errorsOf(VIR.FROM_NONE)(
      conn.networkCreate!(net),
      VIR.ERR_INTERNAL_ERROR,
      "internal error: Child process (tc qdisc add dev virbrq parent 1:2 handle 2: sfq perturb 10) unexpected exit status 2: RTNETLINK answers: Operation not permitted\n",
    );
    assert.deepEqual(host.leftovers(), []);
    assert.equal(await conn.networkIsActive!(net), false);
  });
});

Deno.test("networkUpdate: a DHCP host added live and in the config reaches dnsmasq by SIGHUP", async () => {
  await withNet(async (conn, host, root) => {
    const net = await conn.networkDefineXMLFlags!(NAT, 0);
    await conn.networkCreate!(net);
    const pid = [...host.processes.keys()][0];
    await conn.networkUpdate!(
      net,
      VIR.NETWORK_UPDATE_COMMAND_ADD_LAST,
      VIR.NETWORK_SECTION_IP_DHCP_HOST,
      -1,
      "<host mac='52:54:00:00:00:11' name='vm2' ip='192.168.150.11'/>",
      VIR.NETWORK_UPDATE_AFFECT_LIVE | VIR.NETWORK_UPDATE_AFFECT_CONFIG,
    );
    assert.deepEqual(host.signals, [`SIGHUP ${pid}`]);
    assert.equal(
      await Deno.readTextFile(`${root}/run/network/dnsmasq/n1.hostsfile`),
      "52:54:00:00:00:10,192.168.150.10,vm1\n52:54:00:00:00:11,192.168.150.11,vm2\n",
    );
    for (const file of ["etc/network/n1.xml", "run/network/n1.xml"]) {
      assert.match(await Deno.readTextFile(`${root}/${file}`), /name='vm2'/, file);
    }
    await conn.networkUpdate!(
      net,
      VIR.NETWORK_UPDATE_COMMAND_MODIFY,
      VIR.NETWORK_SECTION_IP_DHCP_HOST,
      -1,
      "<host mac='52:54:00:00:00:11' name='vm2b' ip='192.168.150.12'/>",
      VIR.NETWORK_UPDATE_AFFECT_LIVE,
    );
    assert.deepEqual(host.signals, [`SIGHUP ${pid}`, `SIGHUP ${pid}`]);
    assert.match(
      await Deno.readTextFile(`${root}/run/network/dnsmasq/n1.hostsfile`),
      /^52:54:00:00:00:11,192.168.150.12,vm2b$/m,
    );
    assert.match(
      await Deno.readTextFile(`${root}/etc/network/n1.xml`),
      /name='vm2' ip='192.168.150.11'/,
    );
    await conn.networkUpdate!(
      net,
      VIR.NETWORK_UPDATE_COMMAND_DELETE,
      VIR.NETWORK_SECTION_IP_DHCP_HOST,
      -1,
      "<host mac='52:54:00:00:00:10'/>",
      VIR.NETWORK_UPDATE_AFFECT_LIVE,
    );
    assert.doesNotMatch(await conn.networkGetXMLDesc!(net, 0), /vm1/);
    assert.match(await conn.networkGetXMLDesc!(net, VIR.NETWORK_XML_INACTIVE), /vm1/);
    // After destroy the persistent definition (with vm1 and vm2) is back.
    await conn.networkDestroy!(net);
    assert.match(await conn.networkGetXMLDesc!(net, 0), /vm1.*\n.*name='vm2' ip='192.168.150.11'/s);
  });
});

Deno.test("DHCP leases come from dnsmasq's lease file, expired ones left out", async () => {
  await withNet(async (conn, _host, root) => {
    const net = await conn.networkDefineXMLFlags!(NAT, 0);
    assert.deepEqual(await conn.networkGetDHCPLeases!(net, null, 0), []);
    await conn.networkCreate!(net);
    const later = Math.floor(Date.now() / 1000) + 3600;
    await Deno.writeTextFile(
      `${root}/run/network/dnsmasq/n1.leases`,
      `${later} 52:54:00:00:00:10 192.168.150.10 vm1 01:52:54:00:00:00:10\n` +
        `1000 52:54:00:00:00:12 192.168.150.12 old *\n`,
    );
    assert.deepEqual(await conn.networkGetDHCPLeases!(net, null, 0), [{
      iface: "virbr0",
      expirytime: later,
      type: VIR.IP_ADDR_TYPE_IPV4,
      mac: "52:54:00:00:00:10",
      iaid: undefined,
      ipaddr: "192.168.150.10",
      prefix: 24,
      hostname: "vm1",
      clientid: "01:52:54:00:00:00:10",
    }]);
    assert.deepEqual(await conn.networkGetDHCPLeases!(net, "52:54:00:00:00:99", 0), []);
    await rejectsWith(
      conn.networkGetDHCPLeases!(net, "zz", 0),
      VIR.ERR_INVALID_MAC,
      "invalid MAC address: zz",
    );
  });
});

Deno.test("ports: allocated with the bridge as libvirt's plug, counted, listed, deleted", async () => {
  await withNet(async (conn, _host, root) => {
    const net = await conn.networkDefineXMLFlags!(NAT, 0);
    await rejectsWith(
      conn.networkPortCreateXML!(net, PORT(PORT1), 0),
      VIR.ERR_OPERATION_INVALID,
      "Requested operation is not valid: network 'n1' is not active",
    );
    await conn.networkCreate!(net);
    await rejectsWith(
      conn.networkPortCreateXML!(net, PORT(PORT1), VIR.NETWORK_PORT_CREATE_RECLAIM),
      VIR.ERR_INVALID_ARG,
      "invalid argument: Port reclaim requested but plug type is none",
    );
    const port = await conn.networkPortCreateXML!(net, PORT(PORT1), 0);
    assert.deepEqual(port, { network: "n1", uuid: PORT1 });
    assert.equal(
      await conn.networkPortGetXMLDesc!(port, 0),
      `<networkport>
  <uuid>${PORT1}</uuid>
  <owner>
    <name>vm1</name>
    <uuid>d54df46f-1ab5-4a22-8618-4560ef5fac2c</uuid>
  </owner>
  <mac address='52:54:00:7b:35:93'/>
  <plug type='network' bridge='virbr0'/>
</networkport>
`,
    );
    assert.match(await conn.networkGetXMLDesc!(net, 0), /<network connections='1'>/);
    assert.ok(await pathExists(`${root}/run/network/n1/ports/${PORT1}.xml`));
    assert.deepEqual(await conn.networkListAllPorts!(net, 0), [port]);
    assert.deepEqual(await conn.networkPortLookupByUUID!(net, PORT1.toUpperCase()), port);
    await rejectsWith(
      conn.networkPortCreateXML!(net, PORT(PORT1), 0),
      VIR.ERR_NETWORK_PORT_EXIST,
      `network port Network port with UUID ${PORT1} already exists exists already`,
    );
    assert.deepEqual(await conn.networkPortGetParameters!(port, 0), {});
    await conn.networkPortDelete!(port, 0);
    await rejectsWith(
      conn.networkPortGetXMLDesc!(port, 0),
      VIR.ERR_NO_NETWORK_PORT,
      `network port not found: Network port with UUID ${PORT1} does not exist`,
    );
    assert.doesNotMatch(await conn.networkGetXMLDesc!(net, 0), /connections=/);
    // A port's shaping is its tap's (the hypervisor's): kept, answered, changed; a floor
    // needs the network's inbound QoS, which no network here has.
    const withBw = (rates: string) =>
      PORT(PORT1).replace("</networkport>", `<bandwidth>${rates}</bandwidth></networkport>`);
    await rejectsWith(
      conn.networkPortCreateXML!(net, withBw("<inbound average='10' floor='5'/>"), 0),
      VIR.ERR_OPERATION_UNSUPPORTED,
      "Operation not supported: Invalid use of 'floor' on interface with MAC address 52:54:00:7b:35:93 - network 'n1' has no inbound QoS set",
    );
    assert.deepEqual(await conn.networkListAllPorts!(net, 0), []);
    const shaped = await conn.networkPortCreateXML!(
      net,
      withBw("<inbound average='10' burst='20'/>"),
      0,
    );
    assert.deepEqual(await conn.networkPortGetParameters!(shaped, 0), {
      "inbound.average": 10,
      "inbound.peak": 0,
      "inbound.floor": 0,
      "inbound.burst": 20,
    });
    await conn.networkPortSetParameters!(shaped, { "outbound.average": 7 }, 0);
    assert.deepEqual(await conn.networkPortGetParameters!(shaped, 0), {
      "outbound.average": 7,
      "outbound.peak": 0,
      "outbound.burst": 0,
    });
    assert.match(await conn.networkPortGetXMLDesc!(shaped, 0), /<outbound average='7'\/>/);
    await rejectsWith(
      conn.networkPortSetParameters!(shaped, { "inbound.floor": 3 }, 0),
      VIR.ERR_OPERATION_UNSUPPORTED,
      "Operation not supported: Invalid use of 'floor' on interface with MAC address 52:54:00:7b:35:93 - network 'n1' has no inbound QoS set",
    );
    await conn.networkPortDelete!(shaped, 0);
    assert.deepEqual(await conn.networkListAllPorts!(net, 0), []);
  });
});

Deno.test("forward mode bridge: nothing made on the host, ports plug into the host bridge", async () => {
  await withNet(async (conn, host) => {
    const net = await conn.networkCreateXML!(
      "<network><name>br</name><forward mode='bridge'/><bridge name='br0'/></network>",
      0,
    );
    assert.deepEqual(host.take().filter((c) => !c.startsWith("ip link show")), []);
    const port = await conn.networkPortCreateXML!(net, PORT(PORT1), 0);
    assert.match(await conn.networkPortGetXMLDesc!(port, 0), /<plug type='bridge' bridge='br0'\/>/);
    await conn.networkDestroy!(net);
    assert.deepEqual(host.take(), []);
    assert.deepEqual(await conn.connectListAllNetworks!(0), []);
  });
});

Deno.test("a new driver state takes running networks back, autostarts once per boot", async () => {
  const host = new FakeHost();
  await withRoot(async (root) => {
    const uri = new URL(`qemu:///embed?root=${root}`);
    const open = () => networkDriver.open(uri, { networkRunner: host });
    let conn = await open();
    const net = await conn.networkDefineXMLFlags!(NAT, 0);
    const auto = await conn.networkDefineXMLFlags!(
      "<network><name>auto</name><ip address='10.9.0.1' prefix='24'/></network>",
      0,
    );
    await conn.networkSetAutostart!(auto, true);
    await conn.networkCreate!(net);
    await conn.networkPortCreateXML!(net, PORT(PORT1), 0);
    await conn.connectClose();

    conn = await open();
    assert.deepEqual(await conn.connectListNetworks!(), ["n1"]);
    assert.equal((await conn.networkListAllPorts!(net, 0)).length, 1);
    assert.equal(await conn.networkGetAutostart!(auto), true);
    await conn.connectClose();

    // A reboot: the bridge is gone, the state directory's marker too.
    host.devices.delete("virbr0");
    host.processes.clear();
    await Deno.remove(`${root}/run/network/autostarted`);
    conn = await open();
    try {
      assert.deepEqual(await conn.connectListNetworks!(), ["auto"]);
      assert.ok(!(await pathExists(`${root}/run/network/n1.xml`)));
      await conn.networkDestroy!(auto);
      await conn.networkUndefine!(auto);
      await conn.networkUndefine!(net);
    } finally {
      await conn.connectClose();
    }
  });
});
