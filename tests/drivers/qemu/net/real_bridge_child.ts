/**
 * The QEMU driver with real QEMU (TCG) and real taps, run by `real_bridge_test.ts` inside the
 * network namespace it made (with a bridge `br0`): a domain with a bridge NIC and a network
 * NIC (its network, from a fake network driver, is on `br0` too) starts, the links of `br0` are
 * read, the domain is destroyed and the links are read again. Prints one JSON report.
 *
 * Usage: `ip netns exec NS deno run -A real_bridge_child.ts ROOT`
 */
import { qemuConnectDriver } from "../../../../drivers/qemu/mod.ts";
import { FakeNetworkDriver } from "../../../../drivers/qemu/testing/mod.ts";
import { createRegistry } from "../../../../util/registry.ts";

const XML = `<domain type='qemu'><name>nic1</name><memory unit='MiB'>64</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>
<interface type='bridge'><mac address='52:54:00:e1:00:01'/><source bridge='br0'/>
<model type='virtio'/></interface>
<interface type='network'><mac address='52:54:00:e1:00:02'/><source network='lan'/>
<model type='e1000'/></interface>
<memballoon model='none'/></devices></domain>`;

async function links(): Promise<Record<string, unknown>[]> {
  const out = await new Deno.Command("ip", { args: ["-j", "-d", "link", "show"] }).output();
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

const root = Deno.args[0];
const net = new FakeNetworkDriver({
  lan: { uuid: "1a2b3c4d-0000-4000-8000-000000000001", active: true, bridge: "br0" },
});
const registry = createRegistry([qemuConnectDriver], [net.driver]);
const conn = await registry.find("qemu")!.open(new URL(`qemu:///embed?root=${root}`), {
  log: (m: string) => console.error(m),
});
const report: Record<string, unknown> = {};
try {
  const dom = await conn.domainCreateXML!(XML, 0);
  report.live = await conn.domainGetXMLDesc!(dom, 0);
  report.running = await links();
  report.ports = net.ports.size;
  await conn.domainDestroyFlags!(dom, 0);
  report.stopped = await links();
  report.portsAfter = net.ports.size;
} catch (err) {
  report.error = String(err);
} finally {
  await conn.connectClose();
}
console.log(JSON.stringify(report));
