/**
 * The QEMU driver making and shaping real taps (a fake QEMU: `tc` needs none), run by
 * `real_bandwidth_test.ts` inside the network namespace it made (with a bridge `br0`): a domain
 * whose NIC has a `<bandwidth>` is started (and destroyed when it starts), then one without,
 * whose NIC is shaped live and unshaped again. After each step the taps' `tc` state is read.
 * Prints one JSON report.
 *
 * Usage: `ip netns exec NS deno run -A real_bandwidth_child.ts ROOT`
 */
import { qemuConnectDriver } from "../../../../drivers/qemu/mod.ts";
import { FakeLauncher } from "../../../../drivers/qemu/testing/mod.ts";
import { createRegistry } from "../../../../util/registry.ts";
import { VIR } from "../../../../util/constants.ts";

const domain = (name: string, bandwidth: string) =>
  `<domain type='qemu'><name>${name}</name><memory unit='MiB'>64</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>
<interface type='bridge'><mac address='52:54:00:e2:00:01'/><source bridge='br0'/>
<model type='virtio'/>${bandwidth}</interface><memballoon model='none'/></devices></domain>`;

const SHAPED = "<bandwidth><inbound average='1000' peak='5000' burst='1024'/>" +
  "<outbound average='128' peak='256' burst='256'/></bandwidth>";

async function tc(...args: string[]): Promise<string> {
  const out = await new Deno.Command("tc", { args, stdout: "piped", stderr: "piped" }).output();
  return new TextDecoder().decode(out.stdout);
}

async function state(dev: string): Promise<Record<string, string>> {
  return {
    qdisc: await tc("qdisc", "show", "dev", dev),
    class: await tc("-s", "class", "show", "dev", dev),
  };
}

async function taps(): Promise<string[]> {
  const out = await new Deno.Command("ip", { args: ["-j", "link", "show"] }).output();
  return (JSON.parse(new TextDecoder().decode(out.stdout)) as { ifname: string }[])
    .map((l) => l.ifname).filter((n) => n.startsWith("vnet"));
}

const step = async (body: () => Promise<Record<string, unknown>>) => {
  try {
    return await body();
  } catch (err) {
    return { error: (err as Error).message };
  }
};

const root = Deno.args[0];
const conn = await createRegistry([qemuConnectDriver]).find("qemu")!.open(
  new URL(`qemu:///embed?root=${root}`),
  { launcher: new FakeLauncher(), log: (m: string) => console.error(m) },
);
const report: Record<string, unknown> = {};
try {
  report.shapedStart = await step(async () => {
    const dom = await conn.domainCreateXML!(domain("shaped", SHAPED), 0);
    const got = { state: await state("vnet0") };
    await conn.domainDestroyFlags!(dom, 0);
    return got;
  });
  report.tapsAfterShaped = await taps();
  const dom = await conn.domainCreateXML!(domain("plain", ""), 0);
  const tap = (await conn.domainGetXMLDesc!(dom, 0)).match(/<target dev='(vnet\d+)'/)![1];
  report.tap = tap;
  report.started = await state(tap);
  report.setInbound = await step(async () => {
    await conn.domainSetInterfaceParameters!(dom, tap, {
      "inbound.average": 500,
      "inbound.peak": 1000,
      "inbound.burst": 64,
    }, VIR.DOMAIN_AFFECT_LIVE);
    return {};
  });
  report.afterInbound = await state(tap);
  report.params = await conn.domainGetInterfaceParameters!(dom, tap, VIR.DOMAIN_AFFECT_LIVE);
  report.cleared = await step(async () => {
    await conn.domainSetInterfaceParameters!(
      dom,
      tap,
      { "inbound.peak": 100 },
      VIR.DOMAIN_AFFECT_LIVE,
    );
    return {};
  });
  report.afterClear = await state(tap);
  await conn.domainDestroyFlags!(dom, 0);
  report.tapsAfter = await taps();
} catch (err) {
  report.error = String(err);
} finally {
  await conn.connectClose();
}
console.log(JSON.stringify(report));
