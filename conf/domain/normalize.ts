/**
 * Reduces an input element tree to what libvirt 9.0 keeps, in libvirt's output order, using
 * the tables of `schema.ts`. Used for sections that are round-tripped rather than modelled.
 *
 * @example
 * ```ts
 * import { normalizeElement } from "./normalize.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * const el = normalizeElement(parse("<input bus='ps2' type='mouse' bogus='1'/>"), "devices");
 * // el.attributes is { type: "mouse", bus: "ps2" }
 * ```
 * @module
 */
import type { XmlElement, XmlNode } from "../../util/xml/mod.ts";
import { childrenInOrder, element, textOf } from "../../util/xml/mod.ts";
import { formatPciAddress, parsePciAddress, xmlPropEnum, xmlPropUInt } from "../common/mod.ts";
import { VirError } from "../../util/errors.ts";
import { type ElementSpec, elementSpec } from "./schema.ts";
import { addressAttributes } from "./address.ts";
import { allocationElement } from "./memory_backing.ts";
import { parseHugepage } from "./hugepages.ts";

const USER_ALIAS = /^ua-[A-Za-z0-9_-]*$/;

/** Devices whose `<address>` is their device info address (virDomainDeviceInfoParseXML). */
const DEVICE_INFO = new Set(
  ("disk controller filesystem interface input sound video hostdev redirdev smartcard serial " +
    "parallel console channel watchdog memballoon rng panic nvram shmem memory iommu vsock tpm " +
    "hub audio").split(" "),
);

/** virDomainDeviceInfoParseXML's `<rom>`: a disabled ROM takes no tuning. */
function checkRom(el: XmlElement): void {
  const enabled = xmlPropEnum(el, "enabled", ["yes", "no"] as const);
  const bar = xmlPropEnum(el, "bar", ["on", "off"] as const);
  if (enabled === "no" && (bar !== undefined || el.attributes.file !== undefined)) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      "ROM tuning is not supported when ROM is disabled",
    );
  }
}

/**
 * virDomainDeviceUSBMasterParseXML: the companion controller's first port (0 when absent),
 * written back with `%d`, so a port above 2^31 - 1 comes out negative as in libvirt.
 */
function usbMaster(el: XmlElement): XmlElement {
  const port = xmlPropUInt(el, "startport") ?? 0;
  return element("master", { startport: port | 0 });
}

/**
 * virZPCIDeviceAddressParseXML (C-style bases) and its format: both ids, zero-padded hex, when
 * either is given; nothing when neither is.
 */
function zpciElement(el: XmlElement): XmlElement | undefined {
  const uid = xmlPropUInt(el, "uid", undefined, { base: 0 });
  const fid = xmlPropUInt(el, "fid", undefined, { base: 0 });
  if (uid === undefined && fid === undefined) return undefined;
  const hex = (n: number | undefined, width: number) =>
    "0x" + (n ?? 0).toString(16).padStart(width, "0");
  return element("zpci", { uid: hex(uid, 4), fid: hex(fid, 8) });
}

/** Options of {@link normalizeElement}. */
export interface NormalizeOptions {
  /** A running domain's status: the driver's aliases are kept, not only users'. */
  keepAliases?: boolean;
}

/**
 * The normalised copy of `el` (found under `parent`), or undefined when libvirt does not know
 * the element there.
 */
export function normalizeElement(
  el: XmlElement,
  parent: string,
  options: NormalizeOptions = {},
  grandparent = "",
): XmlElement | undefined {
  // Definitions are parsed as inactive: only user aliases (virDomainDeviceAliasIsUserAlias,
  // of USER_ALIAS_CHARS) survive; the others are the driver's to assign on start.
  if (
    el.name === "alias" && !options.keepAliases && !USER_ALIAS.test(el.attributes.name ?? "")
  ) return undefined;
  if (el.name === "acpi" && DEVICE_INFO.has(parent)) {
    // The device's ACPI index; zero is refused, absent means none.
    const index = el.attributes.index === undefined ? undefined : xmlPropUInt(el, "index");
    if (index === 0) {
      throw VirError.report(
        "XML",
        "XML_ERROR",
        "Invalid value for attribute 'index' in element 'acpi': Zero is not permitted",
      );
    }
    return index === undefined ? undefined : element("acpi", { index });
  }
  if (el.name === "page" && parent === "hugepages") return parseHugepage(el);
  if (el.name === "allocation" && parent === "memoryBacking") return allocationElement(el);
  if (el.name === "rom" && DEVICE_INFO.has(parent)) checkRom(el);
  if (el.name === "master" && DEVICE_INFO.has(parent)) return usbMaster(el);
  if (el.name === "zpci" && parent === "address") return zpciElement(el);
  if (el.name === "address" && DEVICE_INFO.has(parent) && el.attributes.type !== "pci") {
    return { type: "element", name: "address", attributes: addressAttributes(el), children: [] };
  }
  const spec = elementSpec(parent, el.name, grandparent, el.attributes.type);
  if (!spec) return undefined;
  if (spec.verbatim) return stripLines(el);
  const out = applySpec(el, spec, parent, options);
  const empty = !Object.keys(out.attributes).length && !out.children.length;
  return empty && (OMIT_EMPTY[el.name] === "*" || OMIT_EMPTY[el.name] === parent) ? undefined : out;
}

/**
 * Elements libvirt formats with virXMLFormatElement (or an explicit check), which writes nothing
 * for an element without attributes and children: name → the parent it applies under (`*` any).
 */
const OMIT_EMPTY: Record<string, string> = {
  memoryBacking: "domain",
  defaultiothread: "domain",
  iothreadids: "domain",
  features: "domain",
  pm: "domain",
  bootloader: "domain",
  access: "memoryBacking",
  allocation: "memoryBacking",
  acpi: "os",
  bios: "os",
  // virDomainPMStateParseXML keeps only the enabled state.
  "suspend-to-mem": "pm",
  "suspend-to-disk": "pm",
  driver: "*",
  iotune: "*",
  // virDomainNetDefFormat writes the guest-side name only when one is set.
  guest: "interface",
};

function applySpec(
  el: XmlElement,
  spec: ElementSpec,
  parent: string,
  options: NormalizeOptions,
): XmlElement {
  const attributes: Record<string, string> = {};
  for (const a of spec.attrs) {
    const v = el.attributes[a];
    if (v !== undefined) attributes[a] = v;
  }
  if (el.name === "address" && el.attributes.type === "pci") {
    // virDomainDeviceInfoFormat writes every field, zero-padded, unless the address is all
    // zero (domain, bus, slot), which it leaves for the hypervisor to assign.
    const pci = parsePciAddress(el);
    for (const k of ["domain", "bus", "slot", "function", "multifunction"]) delete attributes[k];
    if (pci.domain || pci.bus || pci.slot) {
      Object.assign(attributes, formatPciAddress(pci, true).attributes);
    }
    if (el.attributes.multifunction) attributes.multifunction = el.attributes.multifunction;
  }
  const children: XmlNode[] = [];
  if (spec.text) {
    const t = textOf(el)?.trim();
    if (t) children.push({ type: "text", text: t });
  } else if (spec.kids.length) {
    for (const k of childrenInOrder(el, spec.order)) {
      const n = normalizeElement(k, el.name, options, parent);
      if (n) children.push(n);
    }
  }
  return { type: "element", name: el.name, attributes, children };
}

/** A copy without source line numbers, so kept trees are plain, comparable JSON. */
export function stripLines(el: XmlElement): XmlElement {
  return {
    type: "element",
    name: el.name,
    attributes: { ...el.attributes },
    children: el.children.map((c) => c.type === "element" ? stripLines(c) : { ...c }),
  };
}
