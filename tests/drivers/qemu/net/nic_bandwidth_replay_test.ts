// The interface bandwidth steps of fixtures/nic_bandwidth.json against libvirt 9.0: the
// answers in nic_bandwidth.expected.json were recorded by fixtures/record_nic_argv.sh
// (record_nic_bandwidth.py) from a root libvirtd in a network namespace, with the bridge br0
// and the NAT network 'lan' on virbr7. Here the same steps run on the QEMU driver with the
// host's network driver (its commands faked), fake taps and a fake QEMU: every error (code,
// domain, message), every parameter list, the live and persistent <bandwidth> after each change
// and the `tc` commands run for each step must be libvirt's. `tc` answers as it did for libvirt
// (the recording machine's kernel lacks sfq and the police action): the failures are read from
// libvirt's own error messages.
import assert from "node:assert/strict";
import { qemuConnectDriver } from "../../../../drivers/qemu/mod.ts";
import { FakeLauncher, FakeTapHost } from "../../../../drivers/qemu/testing/mod.ts";
import { networkDriver } from "../../../../drivers/network/mod.ts";
import { createRegistry } from "../../../../util/registry.ts";
import {
  type BandwidthAnswer,
  type BandwidthStep,
  recordedTc,
  runBandwidthStep,
} from "./bandwidth_replay.ts";
import { FakeHost } from "../../network/fake_runner.ts";

const fixtures = new URL("../fixtures/", import.meta.url);
const read = (name: string) => Deno.readTextFile(new URL(name, fixtures));

Deno.test("interface bandwidth: every step answers as libvirt 9.0's QEMU driver", async () => {
  const spec = JSON.parse(await read("nic_bandwidth.json")) as {
    domain: string;
    steps: BandwidthStep[];
  };
  const expected = JSON.parse(await read("nic_bandwidth.expected.json")) as BandwidthAnswer[];
  assert.equal(expected.length, spec.steps.length);
  assert.ok(
    expected.filter((a) => a.message?.includes("Child process (tc")).length >= 2,
    "the recording has tc's failures",
  );
  const dir = await Deno.makeTempDir();
  const taps = new FakeTapHost(["br0", "virbr7"]);
  taps.tcAnswer = recordedTc(expected);
  const launcher = new FakeLauncher();
  const conn = await createRegistry([qemuConnectDriver], [networkDriver]).find("qemu")!.open(
    new URL(`qemu:///embed?root=${dir}`),
    { launcher, taps, log: () => {}, networkRunner: new FakeHost() },
  );
  try {
    const lan = await conn.networkDefineXMLFlags!(
      `<network><name>lan</name><forward mode='nat'/><bridge name='virbr7'/>
<ip address='192.168.207.1' netmask='255.255.255.0'><dhcp><range start='192.168.207.2' end='192.168.207.254'/></dhcp></ip>
</network>`,
      0,
    );
    await conn.networkCreate!(lan);
    const dom = await conn.domainDefineXMLFlags!(await read(spec.domain), 0);
    for (const [i, step] of spec.steps.entries()) {
      const want = expected[i];
      const ran = taps.tcRuns.length;
      const got = await runBandwidthStep(conn, dom, step);
      got.tc = taps.tcRuns.slice(ran);
      const { state: _state, virsh: _virsh, ...libvirt } = want as BandwidthAnswer & {
        state?: unknown;
        virsh?: unknown;
      };
      assert.deepEqual(got, libvirt, `step ${i}: ${step.name}`);
    }
    await conn.domainDestroyFlags!(dom, 0);
  } finally {
    await conn.connectClose();
    await Deno.remove(dir, { recursive: true });
  }
});
