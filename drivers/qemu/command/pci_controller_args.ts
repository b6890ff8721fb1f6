/**
 * The `-device` of a PCI controller as libvirt 9.0 starts it (`qemuBuildControllerPCIDevProps`):
 * its QEMU model name (`<model name>`, which the post-parse sets), then per model a bridge's
 * chassis number, an expander bus's bus number and NUMA node, a port's port, chassis and
 * hotplug switch, and its id.
 *
 * @example
 * ```ts
 * import { pciControllerArgs } from "./pci_controller_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * pciControllerArgs(
 *   parse(
 *     "<controller type='pci' index='1' model='pci-bridge'><model name='pci-bridge'/>" +
 *       "<target chassisNr='1'/><alias name='pci.1'/></controller>",
 *   ),
 *   ",bus=pci.0,addr=0x3",
 * ); // ["-device", "pci-bridge,chassis_nr=1,id=pci.1,bus=pci.0,addr=0x3"]
 * ```
 * @module
 */
import { child, textOf, type XmlElement } from "../../../util/xml/mod.ts";
import { optValue } from "./escape.ts";
import { unsupportedDevice } from "./unsupported.ts";

/** The properties of each model before the id, from the `<target>` attributes. */
const BEFORE_ID: Record<string, [prop: string, attr: string][]> = {
  "pci-bridge": [["chassis_nr", "chassisNr"]],
  "pci-expander-bus": [["bus_nr", "busNr"]],
  "pcie-expander-bus": [["bus_nr", "busNr"]],
  "dmi-to-pci-bridge": [],
  "pcie-switch-upstream-port": [],
  "pcie-to-pci-bridge": [],
  "pcie-root-port": [["port", "port"], ["chassis", "chassis"]],
  "pcie-switch-downstream-port": [["port", "port"], ["chassis", "chassis"]],
};

/** The ports, whose hotplug switch follows the id. */
const PORTS = new Set(["pcie-root-port", "pcie-switch-downstream-port"]);

/** The expander buses, which take their NUMA node after the id. */
const EXPANDERS = new Set(["pci-expander-bus", "pcie-expander-bus"]);

/**
 * The arguments of PCI controller `dev` (not a root: the machine has it) placed at `at`
 * (`,bus=…,addr=…`).
 *
 * @example
 * ```ts
 * import { pciControllerArgs } from "./pci_controller_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * pciControllerArgs(
 *   parse(
 *     "<controller type='pci' index='1' model='pcie-root-port'><model name='ioh3420'/>" +
 *       "<target chassis='1' port='0x8' hotplug='off'/><alias name='pci.1'/></controller>",
 *   ),
 *   ",bus=pcie.0,addr=0x1",
 * ); // ["-device", "ioh3420,port=8,chassis=1,id=pci.1,hotplug=off,bus=pcie.0,addr=0x1"]
 * ```
 */
export function pciControllerArgs(dev: XmlElement, at: string): string[] {
  const model = dev.attributes.model ?? "";
  const name = child(dev, "model")?.attributes.name;
  const alias = child(dev, "alias")?.attributes.name;
  const props = BEFORE_ID[model];
  if (!props || !name || !alias || !at) throw unsupportedDevice(dev, name ?? model);
  const target = child(dev, "target");
  const t = target?.attributes ?? {};
  const opts = props.map(([prop, attr]) => `,${prop}=${Number(t[attr] ?? -1)}`);
  opts.push(`,id=${optValue(alias)}`);
  if (t.hotplug !== undefined && PORTS.has(model)) opts.push(`,hotplug=${t.hotplug}`);
  const node = child(target, "node");
  if (node && EXPANDERS.has(model)) opts.push(`,numa_node=${Number(textOf(node))}`);
  return ["-device", `${name}${opts.join("")}${at}`];
}
