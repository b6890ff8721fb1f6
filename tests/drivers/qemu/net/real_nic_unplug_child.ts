/**
 * The guest's side of a NIC unplug, for `real_nic_hotplug_test.ts` (no OS runs in its guest):
 * the QEMU driver embedded on ROOT finds the running domain DOMAIN again, detaches the NIC of
 * MAC, and while the detach waits for DEVICE_DELETED the child ejects PCI slot SLOT of bus 0 as
 * a guest's ACPI would (a 16-bit write of the slot's bit to PIIX4's PCI_EJ register, 0xae08). Prints
 * one JSON report: the detach's outcome and the live XML after it.
 *
 * Usage: `ip netns exec NS deno run -A real_nic_unplug_child.ts ROOT DOMAIN MAC SLOT`
 */
import { qemuConnectDriver } from "../../../../drivers/qemu/mod.ts";
import { networkDriver } from "../../../../drivers/network/mod.ts";
import { VIR } from "../../../../util/constants.ts";
import { createRegistry } from "../../../../util/registry.ts";
import { KeepingLauncher } from "../real_qemu.ts";

const [root, name, mac, slot] = Deno.args;
const launcher = new KeepingLauncher();
const registry = createRegistry([qemuConnectDriver], [networkDriver]);
const conn = await registry.find("qemu")!.open(new URL(`qemu:///embed?root=${root}`), {
  launcher,
  log: (m: string) => console.error(m),
});
const report: Record<string, unknown> = {};
try {
  const dom = await conn.domainLookupByName!(name);
  const detach = conn.domainDetachDeviceFlags!(
    dom,
    `<interface type='network'><mac address='${mac}'/><source network='default'/></interface>`,
    VIR.DOMAIN_AFFECT_LIVE,
  );
  // The guest answers the unplug request a moment later, well within libvirt's 5 s.
  await new Promise((r) => setTimeout(r, 500));
  const mon = launcher.procs[0].monitor;
  await mon.run("human-monitor-command", {
    "command-line": `o /w 0xae08 ${1 << Number(slot)}`,
  });
  const started = Date.now();
  await detach;
  report.waitedMs = Date.now() - started;
  report.live = await conn.domainGetXMLDesc!(dom, 0);
} catch (err) {
  report.error = String(err);
} finally {
  await conn.connectClose();
}
console.log(JSON.stringify(report));
