/**
 * Device aliases of a running domain (`qemuAssignDeviceAliases`): the ids QEMU knows the
 * devices by, shown as `<alias name='…'/>` in the live XML.
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { child, element, type XmlElement } from "../../util/xml/mod.ts";

function controllerAlias(dev: XmlElement): string {
  const { type, index = "0", model } = dev.attributes;
  if (type === "pci") {
    if (model === "pcie-root") return "pcie.0";
    return `pci.${index}`;
  }
  if (type === "usb" && index === "0") return "usb";
  if (type === "ide" && index === "0") return "ide";
  return `${type}${index}`;
}

/**
 * Gives every device that has none the alias libvirt would: controllers by type and index,
 * inputs, serials, consoles, videos, sounds and NICs by position, the balloon `balloon0`.
 * Devices whose alias libvirt derives from their drive address (disks) keep none here.
 *
 * @example
 * ```ts
 * import { assignDeviceAliases } from "./alias.ts";
 * import type { DomainDef } from "../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * assignDeviceAliases(def);
 * ```
 */
export function assignDeviceAliases(def: DomainDef): void {
  const counters = new Map<string, number>();
  const next = (kind: string) => {
    const n = counters.get(kind) ?? 0;
    counters.set(kind, n + 1);
    return `${kind}${n}`;
  };
  for (const dev of def.devices.other) {
    let alias: string | undefined;
    switch (dev.name) {
      case "controller":
        alias = controllerAlias(dev);
        break;
      case "console":
        // The first console is the first serial port's other face and shares its alias.
        alias = child(dev, "target")?.attributes.type === "serial" && !counters.has("console")
          ? "serial0"
          : next(dev.name);
        counters.set("console", counters.get("console") ?? 1);
        break;
      case "input":
      case "serial":
      case "video":
      case "sound":
      case "watchdog":
      case "rng":
        alias = next(dev.name);
        break;
      case "memballoon":
        if (dev.attributes.model !== "none") alias = "balloon0";
        break;
    }
    if (!alias || child(dev, "alias")) continue;
    const at = dev.children.findIndex((c) => c.type === "element" && c.name === "address");
    const el = element("alias", { name: alias });
    if (at < 0) dev.children.push(el);
    else dev.children.splice(at, 0, el);
  }
  def.devices.interfaces.forEach((net, i) => {
    if (net.extra.some((e) => e.name === "alias")) return;
    const at = net.extra.findIndex((e) => e.name === "address");
    const el = element("alias", { name: `net${i}` });
    if (at < 0) net.extra.push(el);
    else net.extra.splice(at, 0, el);
  });
}
