/**
 * The QEMU driver with real QEMU (TCG) and real macvtaps, run by `real_macvtap_test.ts` inside
 * the network namespace it made (with veth links `par0` and `par1`): a domain with a bridge-mode and a
 * passthrough macvtap NIC starts; the links, the parent's MAC and the devices QEMU holds open
 * are read; a live attach of another macvtap NIC is tried; the domain is destroyed and the
 * links are read again. Prints one JSON report.
 *
 * Usage: `ip netns exec NS deno run -A real_macvtap_child.ts ROOT`
 */
import { qemuConnectDriver } from "../../../../drivers/qemu/mod.ts";
import { createRegistry } from "../../../../util/registry.ts";
import { VIR } from "../../../../util/constants.ts";

const nic = (mac: string, mode: string, parent = "par0") =>
  `<interface type='direct'><mac address='${mac}'/><source dev='${parent}' mode='${mode}'/>` +
  `<model type='virtio'/></interface>`;

const XML = `<domain type='qemu'><name>macvtap1</name><memory unit='MiB'>64</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>
${nic("52:54:00:e3:00:01", "bridge")}${nic("52:54:00:e3:00:02", "passthrough", "par1")}
<memballoon model='none'/></devices></domain>`;

async function links(): Promise<Record<string, unknown>[]> {
  const out = await new Deno.Command("ip", { args: ["-j", "-d", "link", "show"] }).output();
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/** The pid of the QEMU running guest `name`, found by its command line. */
function qemuOf(name: string): number | undefined {
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const argv = Deno.readTextFileSync(`/proc/${e.name}/cmdline`).split("\0");
      if (argv.includes(`guest=${name},debug-threads=on`)) return Number(e.name);
    } catch {
      // Gone meanwhile.
    }
  }
}

/** The macvtap devices process `pid` holds open, by descriptor. */
function openTaps(pid: number): Record<string, string> {
  const held: Record<string, string> = {};
  for (const fd of Deno.readDirSync(`/proc/${pid}/fd`)) {
    const target = Deno.readLinkSync(`/proc/${pid}/fd/${fd.name}`);
    if (target.startsWith("/dev/tap")) held[fd.name] = target;
  }
  return held;
}

const root = Deno.args[0];
const conn = await createRegistry([qemuConnectDriver]).find("qemu")!.open(
  new URL(`qemu:///embed?root=${root}`),
  { log: (m: string) => console.error(m) },
);
const report: Record<string, unknown> = {};
try {
  const dom = await conn.domainCreateXML!(XML, 0);
  report.live = await conn.domainGetXMLDesc!(dom, 0);
  report.running = await links();
  const pid = qemuOf("macvtap1");
  report.held = pid ? openTaps(pid) : {};
  report.attach = await conn.domainAttachDeviceFlags!(
    dom,
    nic("52:54:00:e3:00:03", "vepa"),
    VIR.DOMAIN_AFFECT_LIVE,
  ).then(() => "attached", (e) => (e as Error).message);
  await conn.domainDestroyFlags!(dom, 0);
  report.stopped = await links();
} catch (err) {
  report.error = String(err);
} finally {
  await conn.connectClose();
}
console.log(JSON.stringify(report));
