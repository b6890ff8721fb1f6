/**
 * A controller's `<driver>` and `<target>` as virDomainControllerDefParseXML reads them and
 * virDomainControllerDriverFormat / virDomainControllerDefFormatPCI write them: numbers as
 * numbers, zeros and unset values not at all, the virtio options after the driver's own, and a
 * target's attributes (and its NUMA node) only for PCI controllers.
 *
 * @example
 * ```ts
 * import { controllerDriver } from "./controller.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * controllerDriver(parse("<driver queues='0' max_sectors='2'/>"))?.attributes;
 * // { max_sectors: "2" }
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { children, element, textOf } from "../../util/xml/mod.ts";
import { parseInt32, ULLONG_MAX, xmlPropEnum, xmlPropInt, xmlPropUInt } from "../common/mod.ts";
import { scaledValue } from "./scaled.ts";
import { checkVirtioOptions } from "./virtio_options.ts";

const SWITCH = ["on", "off"] as const;

/** The `<driver>` libvirt writes back for a controller's, or undefined for an empty one. */
export function controllerDriver(driver: XmlElement): XmlElement | undefined {
  const attrs: Record<string, string | number | undefined> = {};
  for (const a of ["queues", "cmd_per_lun", "max_sectors"]) {
    attrs[a] = xmlPropUInt(driver, a) || undefined;
  }
  attrs.ioeventfd = xmlPropEnum(driver, "ioeventfd", SWITCH);
  attrs.iothread = xmlPropUInt(driver, "iothread") || undefined;
  checkVirtioOptions(driver);
  for (const a of ["iommu", "ats", "packed", "page_per_vq"]) attrs[a] = driver.attributes[a];
  const out = element("driver", attrs);
  return Object.keys(out.attributes).length ? out : undefined;
}

/** The PCI target's numbers, read as C ints in any base, in libvirt's format order. */
const PCI_TARGET = ["chassisNr", "chassis", "port", "busNr", "index"];

/**
 * The `<target>` libvirt writes back for controller `dev` (of type `type`), or undefined; more
 * than one `<model>` or `<target>` is libvirt's error.
 */
export function controllerTarget(dev: XmlElement, type: string): XmlElement | undefined {
  for (const name of ["model", "target"]) {
    if (children(dev, name).length > 1) {
      throw VirError.report(
        "DOMAIN",
        "XML_ERROR",
        `Multiple <${name}> elements in controller definition not allowed`,
      );
    }
  }
  const [target] = children(dev, "target");
  if (!target) return undefined;
  const attrs: Record<string, string | undefined> = {};
  if (type === "pci") {
    // Read with the hotplug switch before the index, written after it; the port in hex.
    const n = (a: string) => xmlPropInt(target, a, { base: 0, nonNegative: true });
    const [chassisNr, chassis, port, busNr] = PCI_TARGET.slice(0, 4).map(n);
    const hotplug = xmlPropEnum(target, "hotplug", SWITCH);
    const index = n("index");
    Object.assign(attrs, {
      chassisNr: chassisNr?.toString(),
      chassis: chassis?.toString(),
      port: port === undefined ? undefined : `0x${port.toString(16)}`,
      busNr: busNr?.toString(),
      index: index?.toString(),
      hotplug,
    });
  }
  // virXPathInt of the node's text: read for every controller, written for PCI ones.
  const [nodeEl] = children(target, "node");
  const text = nodeEl && textOf(nodeEl);
  const node = text ? parseInt32(text) : undefined;
  if (text && (node === undefined || node < 0)) {
    throw VirError.report("DOMAIN", "XML_ERROR", "invalid NUMA node in target");
  }
  const kids = type === "pci" && node !== undefined ? [element("node", {}, [String(node)])] : [];
  const out = element("target", attrs, kids);
  return Object.keys(out.attributes).length || kids.length ? out : undefined;
}

/**
 * A PCI root's 64-bit hole (virParseScaledValue in KiB by default), written in KiB rounded up;
 * undefined for other controllers and when absent or empty.
 */
export function controllerPcihole64(dev: XmlElement): XmlElement | undefined {
  const { type, model } = dev.attributes;
  if (type !== "pci" || (model !== "pci-root" && model !== "pcie-root")) return undefined;
  const [el] = children(dev, "pcihole64");
  const bytes = scaledValue(el, "./pcihole64", 1024n, 1024n * ULLONG_MAX);
  return bytes === undefined
    ? undefined
    : element("pcihole64", { unit: "KiB" }, [String((bytes + 1023n) / 1024n)]);
}
