import { z } from "zod";
import { VirError } from "../../util/errors.ts";
import { element, type XmlElement } from "../../util/xml/mod.ts";

/** A PCI address (`<address domain bus slot function/>`). */
export const PciAddressSchema = z.object({
  domain: z.number().int(),
  bus: z.number().int(),
  slot: z.number().int(),
  function: z.number().int(),
});
/** A PCI address. */
export type PciAddress = z.infer<typeof PciAddressSchema>;

/** C strtoul with base 0: `0x` hex, leading `0` octal, else decimal; whole string. */
function parseBase0(text: string): number | undefined {
  const m = /^[ \t\n\v\f\r]*\+?(?:0[xX]([0-9a-fA-F]+)|(0[0-7]*)|([1-9][0-9]*))$/.exec(text);
  if (!m) return undefined;
  if (m[1] !== undefined) return parseInt(m[1], 16);
  if (m[2] !== undefined) return parseInt(m[2], 8);
  return parseInt(m[3], 10);
}

const LIMITS: [keyof PciAddress, number, string][] = [
  ["domain", 0xffff, "0x%x', must be <= 0xFFFF"],
  ["bus", 0xff, "0x%x', must be <= 0xFF"],
  ["slot", 0x1f, "0x%x', must be <= 0x1F"],
  ["function", 0x7, "0x%x', must be <= 7"],
];

/**
 * libvirt's virPCIDeviceAddressParseXML: hex/octal/decimal attributes, missing ones are 0,
 * with the range checks of virPCIDeviceAddressIsValid.
 *
 * @example
 * ```ts
 * import { parsePciAddress } from "./pci_address.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parsePciAddress(parse("<address bus='0x03' function='1'/>"), "NETWORK").bus; // 3
 * ```
 */
export function parsePciAddress(el: XmlElement, errorDomain: string): PciAddress {
  const addr: PciAddress = { domain: 0, bus: 0, slot: 0, function: 0 };
  for (const [key, max, text] of LIMITS) {
    const raw = el.attributes[key];
    if (raw === undefined) continue;
    const v = parseBase0(raw);
    if (v === undefined) {
      throw VirError.report(
        errorDomain,
        "INTERNAL_ERROR",
        `Cannot parse <address> '${key}' attribute`,
      );
    }
    if (v > max) {
      throw VirError.report(
        errorDomain,
        "XML_ERROR",
        `Invalid PCI address ${key}='${text.replace("%x", v.toString(16))}`,
      );
    }
    addr[key] = v;
  }
  return addr;
}

/**
 * `<address [type='pci'] domain='0x0000' bus='0x00' slot='0x00' function='0x0'/>` as libvirt's
 * virPCIDeviceAddressFormat writes it.
 *
 * @example
 * ```ts
 * import { formatPciAddress } from "./pci_address.ts";
 * formatPciAddress({ domain: 0, bus: 3, slot: 0, function: 1 }, true).attributes.bus; // "0x03"
 * ```
 */
export function formatPciAddress(addr: PciAddress, withType: boolean): XmlElement {
  const hex = (v: number, width: number) => "0x" + v.toString(16).padStart(width, "0");
  return element("address", {
    type: withType ? "pci" : undefined,
    domain: hex(addr.domain, 4),
    bus: hex(addr.bus, 2),
    slot: hex(addr.slot, 2),
    function: "0x" + addr.function.toString(16),
  });
}
