/**
 * The QEMU driver with real QEMU (TCG) and real taps, run by `real_ethernet_test.ts` inside the
 * network namespace it made (with the tap `tapx` and the macvtap `mvx` made beforehand): a domain
 * with an ethernet NIC of its own tap (host addresses, a route, an MTU, a script), one on `tapx`
 * and one on `mvx` (both `managed='no'`) starts; the links, addresses and routes and the taps QEMU holds are read; an
 * ethernet NIC is attached live; the domain is destroyed and the links are read again. Prints
 * one JSON report.
 *
 * Usage: `ip netns exec NS deno run -A real_ethernet_child.ts ROOT`
 */
import { qemuConnectDriver } from "../../../../drivers/qemu/mod.ts";
import { readHeldTaps } from "../../../../drivers/qemu/net/bridge_helper.ts";
import { createRegistry } from "../../../../util/registry.ts";
import { VIR } from "../../../../util/constants.ts";

const root = Deno.args[0];
const marker = `${root}/script-ran`;
await Deno.writeTextFile(`${root}/up.sh`, `#!/bin/sh\necho "$1" >> ${marker}\n`, { mode: 0o755 });

const XML = `<domain type='qemu'><name>ether1</name><memory unit='MiB'>64</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><features><acpi/></features><devices>
<interface type='ethernet'><mac address='52:54:00:e4:00:01'/><source>
<ip address='10.44.0.1' prefix='24'/><route address='10.45.0.0' prefix='16' gateway='10.44.0.2'/>
</source><model type='virtio'/><mtu size='1400'/><script path='${root}/up.sh'/></interface>
<interface type='ethernet'><mac address='52:54:00:e4:00:02'/><target dev='tapx' managed='no'/>
<model type='e1000'/></interface>
<interface type='ethernet'><mac address='52:54:00:e4:00:04'/><target dev='mvx' managed='no'/>
<model type='virtio'/></interface>
<memballoon model='none'/></devices></domain>`;

async function ip(...args: string[]): Promise<unknown> {
  const out = await new Deno.Command("ip", { args: ["-j", ...args] }).output();
  return JSON.parse(new TextDecoder().decode(out.stdout) || "[]");
}

/** The pid of the QEMU whose monitor socket lies under `dir` (this run's only). */
function qemuOf(dir: string): number | undefined {
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const argv = Deno.readTextFileSync(`/proc/${e.name}/cmdline`).split("\0");
      if (argv[0].includes("qemu-system") && argv.some((a) => a.includes(`unix:${dir}/`))) {
        return Number(e.name);
      }
    } catch {
      // Gone meanwhile.
    }
  }
}

const conn = await createRegistry([qemuConnectDriver]).find("qemu")!.open(
  new URL(`qemu:///embed?root=${root}`),
  { log: (m: string) => console.error(m) },
);
const report: Record<string, unknown> = {};
try {
  const dom = await conn.domainCreateXML!(XML, 0);
  report.live = await conn.domainGetXMLDesc!(dom, 0);
  report.running = await ip("-d", "addr", "show");
  report.routes = await ip("route", "show");
  report.script = await Deno.readTextFile(marker);
  const pid = qemuOf(root);
  report.held = pid ? (await readHeldTaps(pid)).map((t) => t.name).sort() : [];
  // The unmanaged macvtap's device, which QEMU got open.
  report.heldDevices = pid
    ? [...Deno.readDirSync(`/proc/${pid}/fd`)].map((f) => {
      try {
        return Deno.readLinkSync(`/proc/${pid}/fd/${f.name}`);
      } catch {
        return "";
      }
    }).filter((l) => l.startsWith("/dev/tap"))
    : [];
  await conn.domainAttachDeviceFlags!(
    dom,
    "<interface type='ethernet'><mac address='52:54:00:e4:00:03'/><model type='virtio'/></interface>",
    VIR.DOMAIN_AFFECT_LIVE,
  );
  report.attached = pid ? (await readHeldTaps(pid)).map((t) => t.name).sort() : [];
  report.liveAfterAttach = await conn.domainGetXMLDesc!(dom, 0);
  await conn.domainDestroyFlags!(dom, 0);
  report.stopped = await ip("link", "show");
} catch (err) {
  report.error = String(err);
  // A failed step leaves no QEMU behind (it would outlive the namespace).
  const dom = await conn.domainLookupByName!("ether1").catch(() => undefined);
  if (dom) await conn.domainDestroyFlags!(dom, 0).catch(() => {});
} finally {
  await conn.connectClose();
}
console.log(JSON.stringify(report));
