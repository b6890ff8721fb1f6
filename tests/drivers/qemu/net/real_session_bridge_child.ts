/**
 * An unprivileged QEMU driver (taps as a user's session makes them: QEMU runs the bridge
 * helper) with real QEMU (TCG), run by `real_session_bridge_test.ts` inside the network and
 * mount namespaces it made, where `/etc/qemu/bridge.conf` allows `br0` only: a domain with a
 * bridge NIC and a network NIC (the network `lan`, forward mode bridge on `br0`) starts; a
 * bridge NIC is plugged in and out (the child ejects the PCI slot as the guest's ACPI would,
 * no OS runs); NICs and domains on `br1`, which the helper refuses, fail (the cases of
 * `fixtures/record_session_bridge.sh`). The domain is left
 * running for the test. Prints one JSON report.
 *
 * Usage: `deno run -A real_session_bridge_child.ts ROOT` (in the namespaces)
 */
import { networkDriver } from "../../../../drivers/network/mod.ts";
import { qemuConnectDriver } from "../../../../drivers/qemu/mod.ts";
import { SystemTapHost } from "../../../../drivers/qemu/net/tap.ts";
import { VIR } from "../../../../util/constants.ts";
import type { VirError } from "../../../../util/errors.ts";
import { createRegistry } from "../../../../util/registry.ts";
import { KeepingLauncher } from "../real_qemu.ts";

const DOMAIN = `<domain type='qemu'><name>sess1</name><memory unit='MiB'>64</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><features><acpi/></features><devices>
<interface type='bridge'><mac address='52:54:00:5e:00:01'/><source bridge='br0'/>
<target dev='mytap'/><model type='virtio'/></interface>
<interface type='network'><mac address='52:54:00:5e:00:02'/><source network='lan'/>
<model type='e1000'/></interface>
<memballoon model='none'/></devices></domain>`;
const NIC = (bridge: string, model = "virtio") =>
  `<interface type='bridge'><mac address='52:54:00:5e:00:03'/><source bridge='${bridge}'/>
<model type='${model}'/></interface>`;

async function ports(): Promise<{ ifname: string; address: string; flags: string[] }[]> {
  const out = await new Deno.Command("ip", { args: ["-j", "link", "show", "master", "br0"] })
    .output();
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => ({ ok: true }),
    (e: VirError) => ({ code: e.code, domain: e.domain, message: e.message }),
  );

const root = Deno.args[0];
const launcher = new KeepingLauncher();
const registry = createRegistry([qemuConnectDriver], [networkDriver]);
const conn = await registry.find("qemu")!.open(new URL(`qemu:///embed?root=${root}`), {
  launcher,
  taps: new SystemTapHost({ privileged: false }),
  log: (m: string) => console.error(m),
});
const nets = await networkDriver.open(new URL(`qemu:///embed?root=${root}`), {});
const report: Record<string, unknown> = {};
try {
  const net = await nets.networkDefineXMLFlags!(
    "<network><name>lan</name><forward mode='bridge'/><bridge name='br0'/></network>",
    0,
  );
  await nets.networkCreate!(net);
  const dom = await conn.domainDefineXMLFlags!(DOMAIN, 0);
  await conn.domainCreateWithFlags!(dom, 0);
  report.live = await conn.domainGetXMLDesc!(dom, 0);
  report.started = await ports();

  await conn.domainAttachDeviceFlags!(dom, NIC("br0"), VIR.DOMAIN_AFFECT_LIVE);
  report.attached = await conn.domainGetXMLDesc!(dom, 0);
  report.plugged = await ports();
  const slot = String(report.attached).match(
    /<alias name='net2'\/>\s*<address type='pci' domain='0x0000' bus='0x00' slot='(0x[0-9a-f]+)'/,
  )?.[1];
  const detach = conn.domainDetachDeviceFlags!(
    dom,
    "<interface type='bridge'><mac address='52:54:00:5e:00:03'/><source bridge='br0'/></interface>",
    VIR.DOMAIN_AFFECT_LIVE,
  );
  // The guest's ACPI answers the unplug request: PIIX4's PCI_EJ register, the slot's bit.
  await launcher.procs[0].monitor.run("human-monitor-command", {
    "command-line": `o /w 0xae08 ${1 << Number(slot)}`,
  });
  await detach;
  report.detached = await conn.domainGetXMLDesc!(dom, 0);
  report.unplugged = await ports();

  // br1 is not in bridge.conf: the cases of fixtures/record_session_bridge.sh.
  const denied = [];
  for (const model of ["virtio", "e1000"]) {
    const nic = NIC("br1", model);
    const xml = `<domain type='qemu'><name>sbstart</name><memory unit='MiB'>64</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><features><acpi/></features>
<devices>${nic}<memballoon model='none'/></devices></domain>`;
    denied.push({ name: `start-br1-${model}`, ...await failure(conn.domainCreateXML!(xml, 0)) });
  }
  for (const model of ["virtio", "e1000"]) {
    const attach = conn.domainAttachDeviceFlags!(dom, NIC("br1", model), VIR.DOMAIN_AFFECT_LIVE);
    denied.push({ name: `attach-br1-${model}`, ...await failure(attach) });
  }
  report.denied = denied;
  report.afterDenied = await ports();
} catch (err) {
  report.error = String(err);
} finally {
  await conn.connectClose();
  await nets.connectClose();
}
console.log(JSON.stringify(report));
