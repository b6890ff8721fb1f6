/**
 * The QEMU driver with real QEMU (TCG), real taps and the host nwfilter driver, run by
 * `real_nwfilter_test.ts` inside the network namespace it made (with a bridge `br0`): a domain
 * whose bridge NIC names `clean-traffic` starts, its filter is changed live to `no-mac-spoofing`,
 * a second filtered NIC is attached, the domain is destroyed; the firewall tables of the
 * namespace are read after each step. Prints one JSON report.
 *
 * Usage: `ip netns exec NS deno run -A real_nwfilter_child.ts ROOT`
 */
import { qemuConnectDriver } from "../../../../drivers/qemu/mod.ts";
import { nwfilterDriver } from "../../../../drivers/nwfilter/mod.ts";
import { createRegistry } from "../../../../util/registry.ts";
import { VIR } from "../../../../util/constants.ts";

const XML = `<domain type='qemu'><name>guest</name>
<uuid>5c6d49af-b071-6127-b4ec-6f8ed4b55335</uuid><memory unit='MiB'>64</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><features><acpi/></features><devices>
<interface type='bridge'><mac address='52:54:00:12:34:56'/><source bridge='br0'/>
<target dev='vnet0'/><model type='virtio'/>
<filterref filter='clean-traffic'><parameter name='IP' value='10.0.0.2'/></filterref>
</interface><memballoon model='none'/></devices></domain>`;

const UPDATED = `<interface type='bridge'><mac address='52:54:00:12:34:56'/>
<source bridge='br0'/><target dev='vnet0'/><model type='virtio'/>
<filterref filter='no-mac-spoofing'/></interface>`;

const HOTPLUGGED = `<interface type='bridge'><mac address='52:54:00:12:34:57'/>
<source bridge='br0'/><target dev='vnet1'/><model type='virtio'/>
<filterref filter='no-mac-spoofing'/></interface>`;

async function output(cmd: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  return new TextDecoder().decode(out.stdout);
}

/** The tables as tests/tools/nwfilter/record_rules_inner.sh dumps libvirt's. */
async function tables(): Promise<Record<string, string>> {
  const noComments = (s: string) => s.split("\n").filter((l) => !l.startsWith("#")).join("\n");
  return {
    ebtables: await output("ebtables", "-t", "nat", "-L", "--Lmac2"),
    iptables: noComments(await output("iptables-save")),
    ip6tables: noComments(await output("ip6tables-save")),
  };
}

const root = Deno.args[0];
const registry = createRegistry([qemuConnectDriver], [nwfilterDriver]);
const conn = await registry.find("qemu")!.open(new URL(`qemu:///embed?root=${root}`), {
  log: (m: string) => console.error(m),
});
const report: Record<string, unknown> = {};
try {
  const dom = await conn.domainCreateXML!(XML, 0);
  report.running = await tables();
  report.bindings = await conn.connectListAllNWFilterBindings!(0);
  // The running NIC's filter changes live: its rules are replaced.
  await conn.domainUpdateDeviceFlags!(dom, UPDATED, VIR.DOMAIN_AFFECT_LIVE);
  report.updated = await tables();
  // A hotplugged filtered NIC gets its own chains beside them.
  await conn.domainAttachDeviceFlags!(dom, HOTPLUGGED, VIR.DOMAIN_AFFECT_LIVE);
  report.attached = await tables();
  report.bindingsAttached = await conn.connectListAllNWFilterBindings!(0);
  await conn.domainDestroyFlags!(dom, 0);
  report.stopped = await tables();
  report.bindingsAfter = await conn.connectListAllNWFilterBindings!(0);
} catch (err) {
  report.error = String(err);
} finally {
  await conn.connectClose();
}
console.log(JSON.stringify(report));
