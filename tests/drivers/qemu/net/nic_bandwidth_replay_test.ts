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
import { VIR } from "../../../../util/constants.ts";
import { VirError } from "../../../../util/errors.ts";
import { FakeHost } from "../../network/fake_runner.ts";

const fixtures = new URL("../fixtures/", import.meta.url);
const read = (name: string) => Deno.readTextFile(new URL(name, fixtures));

interface Step {
  name: string;
  op: "start" | "get" | "set";
  device?: string;
  flags?: ("live" | "config")[];
  params?: Record<string, number>;
}

interface Answer {
  name: string;
  code?: number;
  domain?: number;
  message?: string;
  params?: Record<string, number>;
  live?: string[][];
  config?: string[][];
  tc: string[][];
}

/** The <bandwidth> elements of each <interface>, as the recorder cut them out. */
function bandwidths(xml: string): string[][] {
  return (xml.match(/<interface [^]*?<\/interface>/g) ?? []).map((i) =>
    i.match(/<bandwidth>[^]*?<\/bandwidth>|<bandwidth\/>/g) ?? []
  );
}

/** `tc` as it answered libvirt: the commands its errors name failed with their words. */
function recordedTc(
  answers: Answer[],
): (args: readonly string[]) => { code: number; stderr: string } {
  const failures = new Map<string, { code: number; stderr: string }>();
  for (const a of answers) {
    const m = a.message?.match(/Child process \(tc (.*?)\) unexpected exit status (\d+): ([^]*)$/);
    if (m) failures.set(m[1].replace(/vnet\d+/, "DEV"), { code: Number(m[2]), stderr: m[3] });
  }
  assert.ok(failures.size >= 2, "the recording has tc's failures");
  return (args) =>
    failures.get(args.join(" ").replace(/vnet\d+/, "DEV")) ?? { code: 0, stderr: "" };
}

Deno.test("interface bandwidth: every step answers as libvirt 9.0's QEMU driver", async () => {
  const spec = JSON.parse(await read("nic_bandwidth.json")) as { domain: string; steps: Step[] };
  const expected = JSON.parse(await read("nic_bandwidth.expected.json")) as Answer[];
  assert.equal(expected.length, spec.steps.length);
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
      const flags = (step.flags ?? []).reduce(
        (f, n) => f | (n === "live" ? VIR.DOMAIN_AFFECT_LIVE : VIR.DOMAIN_AFFECT_CONFIG),
        0,
      );
      const ran = taps.tcRuns.length;
      const got: Answer = { name: step.name, tc: [] };
      try {
        if (step.op === "get") {
          got.params = await conn.domainGetInterfaceParameters!(dom, step.device!, flags) as Record<
            string,
            number
          >;
        } else {
          if (step.op === "start") await conn.domainCreateWithFlags!(dom, 0);
          else await conn.domainSetInterfaceParameters!(dom, step.device!, step.params!, flags);
          got.live = bandwidths(await conn.domainGetXMLDesc!(dom, 0));
          got.config = bandwidths(await conn.domainGetXMLDesc!(dom, VIR.DOMAIN_XML_INACTIVE));
        }
      } catch (e) {
        if (!(e instanceof VirError)) throw e;
        Object.assign(got, { code: e.code, domain: e.domain, message: e.message });
      }
      got.tc = taps.tcRuns.slice(ran);
      const { state: _state, virsh: _virsh, ...libvirt } = want as Answer & {
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
