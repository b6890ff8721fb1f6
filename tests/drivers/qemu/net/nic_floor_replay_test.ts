// Network NICs with an inbound floor against libvirt 9.0: the steps of fixtures/nic_floor.json
// (start, interface parameters live and config, an overcommit, destroy) on the domain
// floor-nic.xml, whose two NICs are on the network 'qos' (floor-net.xml, inbound QoS), recorded
// by `fixtures/record_nic_argv.sh floor` (record_nic_bandwidth.py) from a root libvirtd in a
// network namespace into nic_floor.expected.json. Here the same steps run on the QEMU driver
// with the host's network driver (its commands faked), fake taps and a fake QEMU: every error,
// parameter list and live and persistent <bandwidth> must be libvirt's, and so must the `tc`
// commands of each device (the bridge's floor classes, each tap's shaping) in their order.
import assert from "node:assert/strict";
import { qemuConnectDriver } from "../../../../drivers/qemu/mod.ts";
import { FakeLauncher, FakeTapHost } from "../../../../drivers/qemu/testing/mod.ts";
import { networkDriver } from "../../../../drivers/network/mod.ts";
import { createRegistry } from "../../../../util/registry.ts";
import { FakeHost } from "../../network/fake_runner.ts";
import {
  type BandwidthAnswer,
  type BandwidthStep,
  recordedTc,
  runBandwidthStep,
} from "./bandwidth_replay.ts";

const fixtures = new URL("../fixtures/", import.meta.url);
const read = (name: string) => Deno.readTextFile(new URL(name, fixtures));

/** `tc` commands by the device they name, each device's in order. */
function byDevice(cmds: readonly (readonly string[])[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const c of cmds) (out[c[c.indexOf("dev") + 1]] ??= []).push(c.join(" "));
  return out;
}

Deno.test("NIC floors: every step answers as libvirt 9.0's QEMU driver, tc per device too", async () => {
  const spec = JSON.parse(await read("nic_floor.json")) as {
    domain: string;
    steps: BandwidthStep[];
  };
  const expected = JSON.parse(await read("nic_floor.expected.json")) as BandwidthAnswer[];
  assert.equal(expected.length, spec.steps.length);
  const dir = await Deno.makeTempDir();
  const host = new FakeHost();
  const taps = new FakeTapHost(["virbr6"]);
  taps.tcAnswer = recordedTc(expected);
  const launcher = new FakeLauncher();
  const conn = await createRegistry([qemuConnectDriver], [networkDriver]).find("qemu")!.open(
    new URL(`qemu:///embed?root=${dir}`),
    { launcher, taps, log: () => {}, networkRunner: host },
  );
  try {
    const qos = await conn.networkDefineXMLFlags!(await read("floor-net.xml"), 0);
    await conn.networkCreate!(qos);
    const dom = await conn.domainDefineXMLFlags!(await read(spec.domain), 0);
    for (const [i, step] of spec.steps.entries()) {
      const want = expected[i];
      const ran = taps.tcRuns.length;
      host.take();
      const { tc: _tc, ...got } = await runBandwidthStep(conn, dom, step);
      const bridge = host.take().filter((c) => c.startsWith("tc ")).map((c) =>
        c.split(" ").slice(1)
      );
      const { state: _state, virsh: _virsh, tc, ...libvirt } = want as BandwidthAnswer & {
        state?: unknown;
        virsh?: unknown;
      };
      assert.deepEqual(got, libvirt, `step ${i}: ${step.name}`);
      assert.deepEqual(
        byDevice([...taps.tcRuns.slice(ran), ...bridge]),
        byDevice(tc),
        `step ${i}: ${step.name}`,
      );
    }
    await conn.domainUndefineFlags!(dom, 0);
    await conn.networkDestroy!(qos);
  } finally {
    await conn.connectClose();
    for (const pid of launcher.alive()) await launcher.reap(pid);
    await Deno.remove(dir, { recursive: true });
  }
});
