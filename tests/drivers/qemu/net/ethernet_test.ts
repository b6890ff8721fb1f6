// Ethernet NICs (`<interface type='ethernet'>`) on the QEMU driver beyond the recorded start
// (nic_fixture_test.ts): the failed starts of ../fixtures/ethernet_errors.json against libvirt
// 9.0's answers (ethernet_errors.expected.json, recorded by record_nic_argv.sh ethernet), with
// nothing left behind; the session's refusal; the downscript and teardown at stop; a restart;
// and the live attach and detach. The real taps are real_ethernet_test.ts's.
import assert from "node:assert/strict";
import { FakeNics, FakeTapHost } from "../../../../drivers/qemu/testing/mod.ts";
import { SystemTapHost } from "../../../../drivers/qemu/net/tap.ts";
import { VIR } from "../../../../util/constants.ts";
import type { VirError } from "../../../../util/errors.ts";
import { domainXML, world } from "./nic_world.ts";
import { waitFor } from "../../../wait.ts";

const err = async (p: Promise<unknown>) => (await p.then(() => undefined, (e) => e)) as VirError;
const fixtures = new URL("../fixtures/", import.meta.url);
const json = async (name: string) => JSON.parse(await Deno.readTextFile(new URL(name, fixtures)));

/** The environment a daemon passed to a script, which differs between daemons. */
const sansEnv = (message: string) => message.replace(/\(LC_ALL=C .*? (\/\S+ \S+)\)/, "(ENV $1)");

/**
 * What the kernel answers to `ip addr add` and `ip route add` on one link: an address only
 * once, a route only through a gateway on a subnet of the link's addresses.
 */
function kernelAnswers(taps: FakeTapHost): void {
  taps.ipAnswer = (args) => {
    const runs = taps.ipRuns.slice(0, -1).map((r) => r.slice(1).join(" "));
    if (args[0] === "addr") {
      return runs.includes(args.join(" ")) ? "RTNETLINK answers: File exists" : undefined;
    }
    const gateway = args[args.indexOf("via") + 1];
    const onLink = runs.some((r) => {
      const [net] = r.split(" ")[2].split("/");
      return r.startsWith("addr") && net.split(".").slice(0, 3).join(".") ===
          gateway.split(".").slice(0, 3).join(".");
    });
    return onLink ? undefined : "Error: Nexthop has invalid gateway.";
  };
}

Deno.test("ethernet starts fail (or start) as libvirt 9.0's, a failure leaving nothing", async () => {
  await using w = await world(undefined, { bridges: ["br0", "tapx"] });
  kernelAnswers(w.taps);
  // The scripts run for real, as the daemon runs them.
  const system = new SystemTapHost();
  w.taps.runScript = (path, name) => system.runScript(path, name);
  const cases = await json("ethernet_errors.json") as { name: string; devices: string }[];
  const expected = await json("ethernet_errors.expected.json") as Record<string, unknown>[];
  for (const [i, c] of cases.entries()) {
    if (expected[i].started) {
      // libvirt starts it: so does the driver.
      const dom = await w.conn.domainCreateXML!(domainXML(c.devices, "ok1"), 0);
      await w.conn.domainDestroyFlags!(dom, 0);
      continue;
    }
    const e = await err(w.conn.domainCreateXML!(domainXML(c.devices, "err1"), 0));
    assert.ok(e, `${c.name}: started`);
    assert.deepEqual(
      { name: c.name, code: e.code, domain: e.domain, message: sansEnv(e.message) },
      { ...expected[i], message: sansEnv(String(expected[i].message)) },
    );
    assert.deepEqual([...w.taps.taps.keys()], [], `${c.name}: no tap left`);
  }
  assert.equal(w.launcher.launches.length, expected.filter((e) => e.started).length);
  assert.deepEqual(await w.conn.connectListAllDomains!(0), []);
});

Deno.test("a script's failure names the command with the daemon's environment, as virCommandToString", async () => {
  const e = await new SystemTapHost().runScript("/bin/false", "vnet0").then(
    () => undefined,
    (e) => e as VirError,
  );
  assert.match(String(e?.message), /^internal error: Child process \(LC_ALL=C (PATH=\S+ )?/);
  assert.match(String(e?.message), / \/bin\/false vnet0\) unexpected exit status 1$/);
});

Deno.test("session: an ethernet NIC's tap cannot be made, as libvirt 9.0's session daemon says", async () => {
  await using w = await world(undefined, { privileged: false, bridges: ["tapx"] });
  const nic = "<interface type='ethernet'><mac address='52:54:00:45:00:01'/>" +
    "<model type='virtio'/></interface>";
  // Recorded by fixtures/record_session_ethernet.sh: `nobody` may not open /dev/net/tun here.
  const recorded = await Deno.readTextFile(
    new URL("./fixtures/session_ethernet_errors.json", import.meta.url),
  ).then((t) => JSON.parse(t) as { name: string; code: number; domain: number; message: string }[]);
  w.taps.tun = "Permission denied";
  const start = await err(w.conn.domainCreateXML!(domainXML(nic), 0));
  const running = await w.conn.domainCreateXML!(domainXML("", "hot", crypto.randomUUID()), 0);
  const attach = await err(
    w.conn.domainAttachDeviceFlags!(running, nic, VIR.DOMAIN_AFFECT_LIVE),
  );
  assert.deepEqual(
    [start, attach].map((e, i) => ({
      name: recorded[i].name,
      code: e.code,
      domain: e.domain,
      message: e.message,
    })),
    recorded,
  );
  await w.conn.domainDestroyFlags!(running, 0);
  // Where /dev/net/tun opens, TUNSETIFF of a new device needs CAP_NET_ADMIN. The name was
  // generated before each open (virNetDevGenerateName): vnet0 and vnet1 are used up.
  w.taps.tun = undefined;
  const e = await err(w.conn.domainCreateXML!(domainXML(nic), 0));
  assert.deepEqual(
    [e.code, e.domain, e.message],
    [
      VIR.ERR_SYSTEM_ERROR,
      VIR.FROM_NONE,
      "Unable to create tap device vnet2: Operation not permitted",
    ],
  );
  assert.deepEqual([...w.taps.taps.keys()], []);
  // An unmanaged tap of the user's own needs no privilege: QEMU opens it.
  const dom = await w.conn.domainCreateXML!(
    domainXML(
      "<interface type='ethernet'><mac address='52:54:00:45:00:02'/>" +
        "<target dev='tapx' managed='no'/></interface>",
    ),
    0,
  );
  assert.ok(
    w.launcher.launches.at(-1)!.includes("tap,id=hostnet0,ifname=tapx,script=no,downscript=no"),
  );
  await w.conn.domainDestroyFlags!(dom, 0);
  assert.ok((await w.taps.links()).has("tapx"), "the unmanaged tap stays");
});

Deno.test("stop: the downscript runs with the tap's name, then the driver's tap goes, an unmanaged one stays", async () => {
  await using w = await world(undefined, { bridges: ["tapx"] });
  const dom = await w.conn.domainCreateXML!(
    domainXML(
      "<interface type='ethernet'><mac address='52:54:00:45:00:01'/>" +
        "<script path='/etc/up'/><downscript path='/etc/down'/></interface>" +
        "<interface type='ethernet'><mac address='52:54:00:45:00:02'/>" +
        "<target dev='tapx' managed='no'/><downscript path='/etc/down'/></interface>",
    ),
    0,
  );
  assert.deepEqual(w.taps.scriptRuns, [["/etc/up", "vnet0"]]);
  assert.match(
    await w.conn.domainGetXMLDesc!(dom, 0),
    /<script path='\/etc\/up'\/>\s*<downscript path='\/etc\/down'\/>\s*<target dev='vnet0'\/>/,
  );
  // The inactive XML keeps no generated name.
  assert.doesNotMatch(
    await w.conn.domainGetXMLDesc!(dom, VIR.DOMAIN_XML_INACTIVE),
    /vnet0/,
  );
  await w.conn.domainDestroyFlags!(dom, 0);
  await w.conn.connectClose();
  assert.deepEqual(w.taps.scriptRuns.slice(1), [["/etc/down", "vnet0"], ["/etc/down", "tapx"]]);
  assert.deepEqual([...w.taps.taps.keys()], []);
  assert.ok((await w.taps.links()).has("tapx"));
});

Deno.test("a restarted driver keeps an ethernet NIC's tap and removes it at the stop", async () => {
  await using w = await world(undefined, { bridges: [] });
  await w.conn.domainCreateXML!(
    domainXML(
      "<interface type='ethernet'><mac address='52:54:00:45:00:01'/>" +
        "<downscript path='/etc/down'/></interface>",
    ),
    0,
  );
  const conn = await w.reopen();
  const dom = await conn.domainLookupByName!("n1");
  assert.match(await conn.domainGetXMLDesc!(dom, 0), /<target dev='vnet0'\/>/);
  await conn.domainDestroyFlags!(dom, 0);
  await conn.connectClose();
  assert.deepEqual(w.taps.scriptRuns, [["/etc/down", "vnet0"]]);
  assert.deepEqual([...w.taps.taps.keys()], []);
});

Deno.test("attach an ethernet NIC live: its tap, netdev_add by name, device_add; detach removes the tap", async () => {
  const nics = new FakeNics();
  await using w = await world(undefined, { nics, bridges: [] });
  const dom = await w.conn.domainCreateXML!(domainXML("<interface type='user'/>"), 0);
  const fake = [...w.launcher.instances.values()].at(-1)!;
  nics.bind(fake);
  fake.commands.length = 0;
  await w.conn.domainAttachDeviceFlags!(
    dom,
    "<interface type='ethernet'><mac address='52:54:00:45:00:07'/><source>" +
      "<ip address='10.7.0.1' prefix='24'/></source><model type='virtio'/><mtu size='1400'/>" +
      "<downscript path='/etc/down'/></interface>",
    VIR.DOMAIN_AFFECT_LIVE,
  );
  const qmp = () => fake.commands.filter((c) => !c.execute.startsWith("query-"));
  assert.deepEqual(qmp().map((c) => [c.execute, c.arguments]), [
    ["netdev_add", {
      type: "tap",
      id: "hostnet1",
      ifname: "vnet0",
      script: "no",
      downscript: "no",
    }],
    ["device_add", {
      driver: "virtio-net-pci",
      host_mtu: 1400,
      netdev: "hostnet1",
      id: "net1",
      mac: "52:54:00:45:00:07",
      bus: "pci.0",
      addr: "0x3",
    }],
  ]);
  assert.deepEqual(w.taps.taps.get("vnet0"), { mac: "fe:54:00:45:00:07", mtu: 1400 });
  assert.deepEqual(w.taps.ipRuns, [[
    "vnet0",
    "addr",
    "add",
    "10.7.0.1/24",
    "broadcast",
    "10.7.0.255",
  ]]);
  assert.match(await w.conn.domainGetXMLDesc!(dom, 0), /<target dev='vnet0'\/>/);
  fake.commands.length = 0;
  await w.conn.domainDetachDeviceFlags!(
    dom,
    "<interface type='ethernet'><mac address='52:54:00:45:00:07'/></interface>",
    VIR.DOMAIN_AFFECT_LIVE,
  );
  assert.deepEqual(qmp().map((c) => c.execute), ["device_del", "netdev_del"]);
  assert.deepEqual(w.taps.scriptRuns, [["/etc/down", "vnet0"]]);
  assert.deepEqual([...w.taps.taps.keys()], []);
  await w.conn.domainDestroyFlags!(dom, 0);
});

Deno.test("an ethernet tap is shaped as a bridge tap is (swapped); a live change of its script is refused", async () => {
  await using w = await world(undefined, { bridges: [] });
  const nic = (extra: string) =>
    "<interface type='ethernet'><mac address='52:54:00:45:00:01'/><model type='virtio'/>" +
    `${extra}</interface>`;
  const dom = await w.conn.domainCreateXML!(
    domainXML(nic("<bandwidth><inbound average='1000'/></bandwidth><script path='/etc/up'/>")),
    0,
  );
  const tc = w.taps.tcRuns.map((a) => a.join(" "));
  assert.equal(tc[0], "qdisc add dev vnet0 root handle 0: noqueue");
  // The guest's inbound is the tap's egress: a root qdisc on vnet0 (qemuBuildInterfaceConnect).
  assert.ok(tc.some((c) => c.startsWith("qdisc add dev vnet0 root handle 1: htb")), tc.join("\n"));
  assert.equal(
    (await w.conn.domainGetInterfaceParameters!(dom, "vnet0", 0))["inbound.average"],
    1000,
  );
  const changed = await err(
    w.conn.domainUpdateDeviceFlags!(
      dom,
      nic("<bandwidth><inbound average='1000'/></bandwidth><script path='/etc/other'/>"),
      VIR.DOMAIN_AFFECT_LIVE,
    ),
  );
  assert.deepEqual(
    [changed.code, changed.message],
    [
      VIR.ERR_OPERATION_UNSUPPORTED,
      "Operation not supported: cannot modify network device script attribute",
    ],
  );
  await w.conn.domainDestroyFlags!(dom, 0);
  assert.deepEqual([...w.taps.taps.keys()], []);
});

Deno.test("QEMU crashing: the downscript runs and the ethernet NIC's tap goes", async () => {
  await using w = await world(undefined, { bridges: [] });
  await w.conn.domainCreateXML!(
    domainXML(
      "<interface type='ethernet'><mac address='52:54:00:45:00:01'/>" +
        "<downscript path='/etc/down'/></interface>",
    ),
    0,
  );
  assert.deepEqual([...w.taps.taps.keys()], ["vnet0"]);
  [...w.launcher.instances.values()].at(-1)!.crash();
  await waitFor(() => w.taps.taps.size === 0, 5000, 5, "the tap's removal");
  assert.deepEqual(w.taps.scriptRuns, [["/etc/down", "vnet0"]]);
  assert.deepEqual(await w.conn.connectListAllDomains!(0), []);
});

Deno.test("an unmanaged macvtap is given to QEMU open, as libvirt's virNetDevMacVLanTapOpen, and kept", async () => {
  await using w = await world(undefined, { bridges: ["eth0"] });
  w.taps.macvtaps.set("mvx", { parent: "eth0", mode: "bridge", mac: "52:54:00:45:00:01" });
  const nic = "<interface type='ethernet'><mac address='52:54:00:45:00:01'/>" +
    "<target dev='mvx' managed='no'/><model type='virtio'/></interface>";
  const dom = await w.conn.domainCreateXML!(domainXML(nic), 0);
  assert.deepEqual(w.launcher.fds[0], ["/dev/tap101"]);
  assert.ok(w.launcher.launches[0].includes("tap,id=hostnet0,fd=3"));
  // QEMU could take it live only as a descriptor over QMP, which nothing here can send.
  const e = await err(
    w.conn.domainAttachDeviceFlags!(
      dom,
      nic.replace("45:00:01", "45:00:02"),
      VIR.DOMAIN_AFFECT_LIVE,
    ),
  );
  assert.equal(e.code, VIR.ERR_OPERATION_UNSUPPORTED);
  await w.conn.domainDestroyFlags!(dom, 0);
  assert.deepEqual([...w.taps.macvtaps.keys()], ["mvx"], "the unmanaged macvtap stays");
});
