/**
 * The `<iommu>` device: virDomainIOMMUDefParseXML's attribute parsing and the checks of
 * virDomainIOMMUDefValidate / virDomainDefIOMMUValidate.
 *
 * @example
 * ```ts
 * import { validateIommu } from "./iommu.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * validateIommu(parse("<iommu model='intel'><driver intremap='off'/></iommu>"), undefined); // passes
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { child, element } from "../../util/xml/mod.ts";
import { xmlPropEnum, xmlPropUInt } from "../common/mod.ts";
import { normalizeElement, type NormalizeOptions } from "./normalize.ts";

const SWITCHES = ["intremap", "caching_mode", "eim", "iotlb"] as const;

/** The `<iommu>` libvirt keeps: required model, driver switches and address width checked. */
export function parseIommu(el: XmlElement, options: NormalizeOptions): XmlElement | undefined {
  xmlPropEnum(el, "model", ["intel", "smmuv3", "virtio"], true);
  const driver = child(el, "driver");
  const attrs: Record<string, string | number | undefined> = {};
  for (const s of SWITCHES) attrs[s] = driver && xmlPropEnum(driver, s, ["on", "off"]);
  attrs.aw_bits = (driver && xmlPropUInt(driver, "aw_bits")) || undefined;
  const normalized = normalizeElement(el, "devices", options);
  if (!normalized) return undefined;
  const d = element("driver", attrs);
  const kids = normalized.children.filter((c) => c.type !== "element" || c.name !== "driver");
  return {
    ...normalized,
    children: Object.keys(d.attributes).length ? [d, ...kids] : kids,
  };
}

/** Device and domain checks of the `<iommu>`, given the domain's `<features>`. */
export function validateIommu(iommu: XmlElement, features: XmlElement | undefined): void {
  const model = iommu.attributes.model;
  const driver = child(iommu, "driver")?.attributes ?? {};
  const xmlErr = (msg: string) => VirError.report("DOMAIN", "XML_ERROR", msg);
  if (model !== "intel" && Object.keys(driver).length) {
    throw xmlErr(`iommu model '${model}' doesn't support additional attributes`);
  }
  if (model !== "virtio" && child(iommu, "address")) {
    throw xmlErr(`iommu model '${model}' can't have address`);
  }
  if (driver.intremap === "on" && child(features, "ioapic")?.attributes.driver !== "qemu") {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      "IOMMU interrupt remapping requires split I/O APIC (ioapic driver='qemu')",
    );
  }
  if (driver.eim === "on" && driver.intremap !== "on") {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      "IOMMU eim requires interrupt remapping to be enabled",
    );
  }
}
