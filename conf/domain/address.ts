/**
 * A device's `<address>` other than PCI (virDomainDeviceAddressParseXML and the address part of
 * virDomainDeviceInfoFormat): each type's numbers are parsed in its base and written back in
 * libvirt's fixed form, defaults included.
 *
 * @example
 * ```ts
 * import { addressAttributes } from "./address.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * addressAttributes(parse("<address type='drive' unit='1'/>"));
 * // { type: "drive", controller: "0", bus: "0", target: "0", unit: "1" }
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { parseUInt, parseULongLong } from "../common/mod.ts";

/** virDomainDeviceAddressType names (besides none); PCI is formatted by the PCI code. */
const TYPES = [
  "pci",
  "drive",
  "virtio-serial",
  "ccid",
  "usb",
  "spapr-vio",
  "virtio-s390",
  "ccw",
  "virtio-mmio",
  "isa",
  "dimm",
  "unassigned",
];

/** The attributes domaincommon.rng allows a non-PCI `<address>` of each type, besides `type`. */
const SCHEMA_ATTRS: Record<string, readonly string[]> = {
  drive: ["controller", "bus", "target", "unit"],
  "virtio-serial": ["controller", "bus", "port"],
  ccid: ["controller", "slot"],
  usb: ["bus", "port"],
  "spapr-vio": ["reg"],
  ccw: ["cssid", "ssid", "devno"],
  isa: ["iobase", "irq"],
  dimm: ["slot", "base"],
};

/**
 * The attributes of a non-PCI `<address>` that libvirt's schema does not allow for its type
 * (what VALIDATE refuses; the parser drops them).
 *
 * @example
 * ```ts
 * import { unknownAddressAttributes } from "./address.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * unknownAddressAttributes(parse("<address type='usb' bus='0' slot='1'/>")); // ["slot"]
 * ```
 */
export function unknownAddressAttributes(el: XmlElement): string[] {
  const allowed = SCHEMA_ATTRS[el.attributes.type ?? ""] ?? [];
  return Object.keys(el.attributes).filter((a) => a !== "type" && !allowed.includes(a));
}

const invalid = (el: XmlElement, attr: string, v: string) =>
  VirError.report(
    "XML",
    "XML_ERROR",
    `Invalid value for attribute '${attr}' in element '${el.name}': '${v}'. ` +
      "Expected non-negative integer value",
  );

/** virXMLPropUInt / virXMLPropULongLong in `base` (0: C's prefix rule); 0 when absent. */
function prop(el: XmlElement, attr: string, base: 0 | 10 | 16, wide = false): bigint {
  const raw = el.attributes[attr];
  if (raw === undefined) return 0n;
  const t = raw.replace(/^[ \t\n\v\f\r]+/, "").replace(/^\+/, "");
  const b = base !== 0 ? base : /^0[xX]/.test(t) ? 16 : /^0./.test(t) ? 8 : 10;
  let v: bigint | undefined;
  if (b === 10 && wide) v = parseULongLong(t);
  else if (b === 16 && wide) {
    v = /^(0[xX])?[0-9a-fA-F]+$/.test(t) ? BigInt(`0x${t.replace(/^0[xX]/, "")}`) : undefined;
  } else {
    const n = parseUInt(t, b);
    v = n === undefined ? undefined : BigInt(n);
  }
  if (v === undefined || v >= (wide ? 1n << 64n : 1n << 32n)) throw invalid(el, attr, raw);
  return v;
}

const hex = (v: bigint, width = 0) => `0x${v.toString(16).padStart(width, "0")}`;

/** virDomainDeviceUSBAddressParsePort: up to four dotted hub ports. */
function usbPort(text: string): string | undefined {
  const parts = text.split(".");
  if (parts.length > 4 || parts.some((p) => !/^[ \t\n\v\f\r]*\+?[0-9]+$/.test(p))) {
    throw VirError.report("DEVICE", "INTERNAL_ERROR", "Cannot parse <address> 'port' attribute");
  }
  const ports = parts.map(Number);
  if (ports.some((p) => p > 0xffffffff)) {
    throw VirError.report("DEVICE", "INTERNAL_ERROR", "Cannot parse <address> 'port' attribute");
  }
  // The written port stops at the first zero; a leading zero means no port.
  const cut = ports.indexOf(0);
  const kept = cut < 0 ? ports : ports.slice(0, cut);
  return kept.length ? kept.join(".") : undefined;
}

/** The attributes libvirt writes for a non-PCI `<address>`, or throws its parse error. */
export function addressAttributes(el: XmlElement): Record<string, string> {
  const type = el.attributes.type;
  if (type === undefined) {
    throw VirError.report("DOMAIN", "INTERNAL_ERROR", "No type specified for device address");
  }
  if (!TYPES.includes(type)) {
    throw VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", `unknown address type '${type}'`);
  }
  const n = (attr: string) => String(prop(el, attr, 10));
  switch (type) {
    case "drive":
      return {
        type,
        controller: n("controller"),
        bus: n("bus"),
        target: n("target"),
        unit: n("unit"),
      };
    case "virtio-serial":
      return { type, controller: n("controller"), bus: n("bus"), port: n("port") };
    case "ccid":
      return { type, controller: n("controller"), slot: n("slot") };
    case "usb": {
      const port = el.attributes.port === undefined ? undefined : usbPort(el.attributes.port);
      return { type, bus: n("bus"), ...(port ? { port } : {}) };
    }
    case "spapr-vio": {
      const reg = el.attributes.reg === undefined ? undefined : prop(el, "reg", 16, true);
      return { type, ...(reg ? { reg: hex(reg, 8) } : {}) };
    }
    case "ccw":
      return ccwAttributes(el);
    case "virtio-s390":
      throw VirError.report("DOMAIN", "XML_ERROR", "virtio-s390 bus doesn't have an address");
    case "isa": {
      const iobase = prop(el, "iobase", 16);
      const irq = prop(el, "irq", 16);
      return {
        type,
        ...(iobase ? { iobase: hex(iobase) } : {}),
        ...(irq ? { irq: hex(irq) } : {}),
      };
    }
    case "dimm": {
      if (el.attributes.slot === undefined) {
        throw VirError.report(
          "XML",
          "XML_ERROR",
          "Missing required attribute 'slot' in element 'address'",
        );
      }
      const base = prop(el, "base", 16, true);
      return { type, slot: n("slot"), ...(base ? { base: hex(base) } : {}) };
    }
    default:
      return { type };
  }
}

/** virCCWDeviceAddressParseXML: all three numbers or none, within the channel subsystem's range. */
function ccwAttributes(el: XmlElement): Record<string, string> {
  const given = ["cssid", "ssid", "devno"].filter((a) => el.attributes[a] !== undefined).length;
  const cssid = prop(el, "cssid", 0);
  const ssid = prop(el, "ssid", 0);
  const devno = prop(el, "devno", 0);
  const form = `cssid='${hex(cssid)}' ssid='${hex(ssid)}' devno='${hex(devno, 4)}'`;
  if (cssid > 0xfen || ssid > 3n || devno > 0xffffn) {
    throw VirError.report(
      "DEVICE",
      "INTERNAL_ERROR",
      `Invalid specification for virtio ccw address: ${form}`,
    );
  }
  if (given && given < 3) {
    throw VirError.report(
      "DEVICE",
      "INTERNAL_ERROR",
      "Invalid partial specification for virtio ccw address",
    );
  }
  return { type: "ccw", cssid: hex(cssid), ssid: hex(ssid), devno: hex(devno, 4) };
}
