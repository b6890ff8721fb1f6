// A network NIC's inbound floor through the QEMU driver and the host's network driver (its
// commands faked, fake taps, a fake QEMU): the start plugs the floor's class on the network's
// bridge through the NIC's port, interface parameters and update-device move it (or unplug it),
// and the stop gives it back. The bridge's commands are those of libvirt's network driver for
// the same port changes (recorded in tests/drivers/network/fixtures/libvirt_floor/, replayed by
// network_floor_test.ts); what this test adds is that the QEMU driver's port carries them.
import assert from "node:assert/strict";
import { VIR } from "../../../../util/constants.ts";
import { VirError } from "../../../../util/errors.ts";
import { FakeLauncher, FakeTapHost } from "../../../../drivers/qemu/testing/mod.ts";
import { qemuConnectDriver } from "../../../../drivers/qemu/mod.ts";
import { networkDriver } from "../../../../drivers/network/mod.ts";
import { createRegistry } from "../../../../util/registry.ts";
import { FakeHost } from "../../network/fake_runner.ts";
import { domainXML, NIC } from "./nic_world.ts";

const LIVE = VIR.DOMAIN_AFFECT_LIVE;
const MAC = "52:54:00:aa:bb:01";
const QOS_NET = `<network><name>q</name><bridge name='virbrq'/>
<bandwidth><inbound average='1000' peak='2000'/></bandwidth></network>`;
const floorNic = (floor: number) =>
  NIC("network", "network='q'", MAC, `<bandwidth><inbound floor='${floor}'/></bandwidth>`);

/** The commands on the NIC's class of the network's bridge since the last call. */
const bridgeTc = (host: FakeHost) =>
  host.take().filter((c) => c.startsWith("tc ") && c.includes("virbrq") && !c.includes(" 1:2 "));

Deno.test("a network NIC's floor: plugged at start, moved live and by update-device, unplugged at stop", async () => {
  const dir = await Deno.makeTempDir();
  const host = new FakeHost();
  const launcher = new FakeLauncher();
  const conn = await createRegistry([qemuConnectDriver], [networkDriver]).find("qemu")!.open(
    new URL(`qemu:///embed?root=${dir}`),
    { launcher, taps: new FakeTapHost(["virbrq"]), log: () => {}, networkRunner: host },
  );
  try {
    const net = await conn.networkCreateXML!(QOS_NET, 0);
    host.take();
    const dom = await conn.domainCreateXML!(domainXML(floorNic(300)), 0);
    assert.deepEqual(bridgeTc(host), [
      "tc class add dev virbrq parent 1:1 classid 1:3 htb rate 300kbps ceil 2000kbps quantum 1",
      "tc qdisc add dev virbrq parent 1:3 handle 3: sfq perturb 10",
      "tc filter add dev virbrq protocol ip prio 2 handle 800::803 u32 match u16 0x0800 0xffff at -2 match u32 0x00aabb01 0xffffffff at -12 match u16 0x5254 0xffff at -14 flowid 1:3",
    ]);
    const [port] = await conn.networkListAllPorts!(net, 0);
    assert.equal((await conn.networkPortGetParameters!(port, 0))["inbound.floor"], 300);

    await conn.domainSetInterfaceParameters!(dom, MAC, { "inbound.floor": 400 }, LIVE);
    assert.deepEqual(bridgeTc(host), [
      "tc class change dev virbrq classid 1:3 htb rate 400kbps ceil 2000kbps quantum 85",
    ]);
    // Over the network's peak: libvirt's refusal, and the NIC keeps its floor.
    const over = await conn.domainSetInterfaceParameters!(dom, MAC, { "inbound.floor": 2500 }, LIVE)
      .then(() => undefined, (e) => e as VirError);
    assert.equal(over?.code, VIR.ERR_OPERATION_INVALID);
    assert.equal(
      over?.message,
      `Requested operation is not valid: Cannot plug '${MAC}' interface into 'virbrq' because new combined inbound floor=2500 would overcommit peak=2000 on network 'q'`,
    );
    assert.match(await conn.domainGetXMLDesc!(dom, 0), /<inbound floor='400'\/>/);

    // update-device with another <bandwidth>: the port's floor follows.
    const live = await conn.domainGetXMLDesc!(dom, 0);
    const nic = live.match(/<interface type='network'>[^]*?<\/interface>/)![0];
    await conn.domainUpdateDeviceFlags!(
      dom,
      nic.replace(/<bandwidth>[^]*?<\/bandwidth>/, "<bandwidth><inbound floor='500'/></bandwidth>"),
      LIVE,
    );
    assert.deepEqual(bridgeTc(host), [
      "tc class change dev virbrq classid 1:3 htb rate 500kbps ceil 2000kbps quantum 85",
    ]);
    assert.match(await conn.domainGetXMLDesc!(dom, 0), /<inbound floor='500'\/>/);
    assert.equal((await conn.networkPortGetParameters!(port, 0))["inbound.floor"], 500);

    await conn.domainDestroyFlags!(dom, 0);
    assert.deepEqual(bridgeTc(host), [
      "tc qdisc del dev virbrq handle 3:",
      "tc filter del dev virbrq prio 2 handle 800::803 u32",
      "tc class del dev virbrq classid 1:3",
    ]);
    assert.deepEqual(await conn.networkListAllPorts!(net, 0), []);
    await conn.networkDestroy!(net);
  } finally {
    await conn.connectClose();
    for (const pid of launcher.alive()) await launcher.reap(pid);
    await Deno.remove(dir, { recursive: true });
  }
});
