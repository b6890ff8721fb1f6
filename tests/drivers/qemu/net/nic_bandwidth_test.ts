// NIC bandwidth on the QEMU driver beyond the recorded steps (nic_bandwidth_replay_test.ts):
// the session driver's refusal, a hotplugged NIC shaped as at start, the types libvirt does not
// shape, libvirt's argument checks, and evsh's `domiftune` printing virsh's lines (recorded
// with the steps).
import assert from "node:assert/strict";
import { VIR } from "../../../../util/constants.ts";
import { VirError } from "../../../../util/errors.ts";
import { FakeLauncher, FakeNics, FakeTapHost } from "../../../../drivers/qemu/testing/mod.ts";
import { qemuConnectDriver } from "../../../../drivers/qemu/mod.ts";
import { networkDriver } from "../../../../drivers/network/mod.ts";
import { createRegistry } from "../../../../util/registry.ts";
import { connect } from "../../../../client/connect.ts";
import { Shell } from "../../../../tools/evsh/mod.ts";
import { FakeHost } from "../../network/fake_runner.ts";
import { domainXML, NIC, world } from "./nic_world.ts";

const err = async (p: Promise<unknown>) => (await p.then(() => undefined, (e) => e)) as VirError;
const LIVE = VIR.DOMAIN_AFFECT_LIVE;
const SHAPED = "<bandwidth><inbound average='1000' burst='64'/></bandwidth>";

Deno.test("session: a NIC with bandwidth is refused at start and live, as libvirt's session", async () => {
  await using w = await world(undefined, { privileged: false });
  const refused = await err(
    w.conn.domainCreateXML!(domainXML(NIC("bridge", "bridge='br0'", undefined, SHAPED)), 0),
  );
  assert.equal(refused.code, VIR.ERR_OPERATION_UNSUPPORTED);
  assert.equal(refused.domain, VIR.FROM_NONE);
  assert.equal(
    refused.message,
    "Operation not supported: Network bandwidth tuning is not available in session mode",
  );
  assert.deepEqual(await w.conn.connectListAllDomains!(0), []);
  w.taps.held = [{ name: "tap0", ifindex: 7 }];
  const dom = await w.conn.domainCreateXML!(domainXML(NIC("bridge", "bridge='br0'")), 0);
  const live = await err(
    w.conn.domainSetInterfaceParameters!(dom, "52:54:00:aa:bb:01", { "inbound.average": 9 }, LIVE),
  );
  assert.equal(live.message, refused.message);
  // The session runs no tc at all, and the refused change is not in the live XML.
  assert.deepEqual(w.taps.tcRuns, []);
  assert.doesNotMatch(await w.conn.domainGetXMLDesc!(dom, 0), /<bandwidth/);
});

Deno.test("a NIC attached live is shaped as at start: noqueue, then the bandwidth", async () => {
  const nics = new FakeNics();
  await using w = await world(undefined, { nics });
  const dom = await w.conn.domainCreateXML!(domainXML("<interface type='user'/>"), 0);
  nics.bind([...w.launcher.instances.values()].at(-1)!);
  await w.conn.domainAttachDeviceFlags!(
    dom,
    NIC("bridge", "bridge='br0'", "52:54:00:aa:bb:07", SHAPED),
    LIVE,
  );
  assert.deepEqual(w.taps.tcRuns.map((a) => a.join(" ")), [
    "qdisc add dev vnet0 root handle 0: noqueue",
    "qdisc del dev vnet0 root",
    "qdisc del dev vnet0 ingress",
    "qdisc add dev vnet0 root handle 1: htb default 1",
    "class add dev vnet0 parent 1: classid 1:1 htb rate 1000kbps burst 64kb quantum 85",
    "qdisc add dev vnet0 parent 1:1 handle 2: sfq perturb 10",
    "filter add dev vnet0 parent 1:0 protocol all prio 1 handle 1 fw flowid 1",
  ]);
  const got = await w.conn.domainGetInterfaceParameters!(dom, "vnet0", LIVE);
  assert.equal(got["inbound.average"], 1000);
  assert.equal(got["inbound.burst"], 64);
});

Deno.test("interface parameters: libvirt's refusals change nothing", async () => {
  await using w = await world();
  const dom = await w.conn.domainCreateXML!(
    domainXML("<interface type='user'><mac address='52:54:00:aa:bb:09'/></interface>"),
    0,
  );
  const user = await err(
    w.conn.domainSetInterfaceParameters!(dom, "52:54:00:aa:bb:09", { "inbound.average": 5 }, 0),
  );
  assert.equal(user.code, VIR.ERR_CONFIG_UNSUPPORTED);
  assert.equal(
    user.message,
    "unsupported configuration: setting bandwidth on interfaces of type 'user' is not implemented yet",
  );
  const unknown = await err(
    w.conn.domainSetInterfaceParameters!(dom, "52:54:00:aa:bb:09", { "inbound.bogus": 5 }, 0),
  );
  assert.equal(unknown.code, VIR.ERR_ARGUMENT_UNSUPPORTED);
  assert.equal(unknown.message, "argument unsupported: parameter 'inbound.bogus' not supported");
  const flags = await err(w.conn.domainGetInterfaceParameters!(dom, "52:54:00:aa:bb:09", 1 << 9));
  assert.equal(flags.code, VIR.ERR_INVALID_ARG);
  assert.deepEqual(w.taps.tcRuns, []);
  assert.doesNotMatch(await w.conn.domainGetXMLDesc!(dom, 0), /<bandwidth/);
});

Deno.test("evsh domiftune prints virsh's lines for the recorded gets", async () => {
  const fixtures = new URL("../fixtures/", import.meta.url);
  const steps = JSON.parse(
    await Deno.readTextFile(new URL("nic_bandwidth.expected.json", fixtures)),
  ) as { name: string; virsh?: string }[];
  const spec = JSON.parse(await Deno.readTextFile(new URL("nic_bandwidth.json", fixtures)));
  const dir = await Deno.makeTempDir();
  const conn = await connect(`qemu:///embed?root=${dir}`, {
    embed: createRegistry([qemuConnectDriver], [networkDriver]),
    launcher: new FakeLauncher(),
    taps: new FakeTapHost(["br0"]),
    networkRunner: new FakeHost(),
    log: () => {},
  });
  try {
    // The network NIC needs no network while the domain is inactive.
    await conn.defineXML(await Deno.readTextFile(new URL("nic-bandwidth.xml", fixtures)));
    let stdout = "";
    const shell = new Shell(conn, {
      stdout: (s) => (stdout += s),
      stderr: (s) => (stdout += s),
      readFile: (path) => Deno.readTextFile(path),
    });
    // The first gets ran on the inactive domain as defined.
    const gets = spec.steps.slice(0, 3).filter((s: { op: string }) => s.op === "get");
    assert.equal(gets.length, 2);
    for (const [i, step] of gets.entries()) {
      stdout = "";
      const opts = step.flags.map((f: string) => ` --${f}`).join("");
      assert.ok(await shell.runLine(`domiftune nic-bandwidth ${step.device}${opts}`), stdout);
      assert.equal(stdout, steps[i + 1].virsh, step.name);
    }
  } finally {
    await conn.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("update-device with another <bandwidth> reshapes the tap; without one it is cleared", async () => {
  await using w = await world();
  const dom = await w.conn.domainCreateXML!(
    domainXML(NIC("bridge", "bridge='br0'", "52:54:00:aa:bb:03", SHAPED)),
    0,
  );
  const nic = () => {
    const live = w.conn.domainGetXMLDesc!(dom, 0);
    return live.then((x) => x.match(/<interface type='bridge'>[^]*?<\/interface>/)![0]);
  };
  const ran = () => w.taps.tcRuns.splice(0).map((a) => a.join(" "));
  ran();
  // qemuDomainChangeNet: virNetDevBandwidthSet with the new bandwidth, as a whole.
  const outbound = "<bandwidth><outbound average='64'/></bandwidth>";
  await w.conn.domainUpdateDeviceFlags!(
    dom,
    (await nic()).replace(/<bandwidth>[^]*?<\/bandwidth>/, outbound),
    LIVE,
  );
  assert.deepEqual(ran(), [
    "qdisc del dev vnet0 root",
    "qdisc del dev vnet0 ingress",
    "qdisc add dev vnet0 ingress",
    "filter add dev vnet0 parent ffff: protocol all u32 match u32 0 0 police rate 64kbps burst 64kb mtu 64kb drop flowid :1",
    "qdisc add dev vnet0 root handle 0: noqueue",
  ]);
  assert.match(await nic(), /<bandwidth>\s*<outbound average='64'\/>\s*<\/bandwidth>/);
  // An unchanged <bandwidth> runs nothing.
  await w.conn.domainUpdateDeviceFlags!(dom, await nic(), LIVE);
  assert.deepEqual(ran(), []);
  await w.conn.domainUpdateDeviceFlags!(
    dom,
    (await nic()).replace(/<bandwidth>[^]*?<\/bandwidth>/, ""),
    LIVE,
  );
  assert.deepEqual(ran(), [
    "qdisc del dev vnet0 root",
    "qdisc del dev vnet0 ingress",
    "qdisc add dev vnet0 root handle 0: noqueue",
  ]);
  assert.doesNotMatch(await nic(), /<bandwidth/);
});
