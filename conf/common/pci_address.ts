import { z } from "zod";
import { VirError } from "../../util/errors.ts";
import { element, type XmlElement } from "../../util/xml/mod.ts";
import { parseUIntPositive, xmlPropEnum } from "./values.ts";

/** A PCI address (`<address domain bus slot function/>`). */
export const PciAddressSchema = z.strictObject({
  domain: z.number().int(),
  bus: z.number().int(),
  slot: z.number().int(),
  function: z.number().int(),
});
/** A PCI address. */
export type PciAddress = z.infer<typeof PciAddressSchema>;

/**
 * libvirt 9.0's virPCIDeviceAddressParseXML: `domain`, `bus`, `slot` and `function` are
 * virXMLPropUInt in base 0 (C's `0x`/`0` prefixes; missing ones are 0) and `multifunction` a
 * switch, all with util/virxml.c's errors; an address that is not all zero (domain, bus and
 * slot) gets virPCIDeviceAddressIsValid's range checks (util/virpci.c, no error domain).
 * `multifunction` is checked here; the callers that keep it (domain devices) read it back.
 *
 * @example
 * ```ts
 * import { parsePciAddress } from "./pci_address.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parsePciAddress(parse("<address bus='0x03' function='1'/>")).bus; // 3
 * ```
 */
export function parsePciAddress(el: XmlElement): PciAddress {
  const addr: PciAddress = { domain: 0, bus: 0, slot: 0, function: 0 };
  for (const key of ["domain", "bus", "slot", "function"] as const) {
    const raw = el.attributes[key];
    if (raw === undefined) continue;
    const v = parseUIntPositive(raw, 0);
    if (v === undefined) {
      throw VirError.report(
        "XML",
        "XML_ERROR",
        `Invalid value for attribute '${key}' in element '${el.name}': '${raw}'. ` +
          "Expected non-negative integer value",
      );
    }
    addr[key] = v;
  }
  xmlPropEnum(el, "multifunction", ["on", "off"] as const);
  if (addr.domain || addr.bus || addr.slot) {
    const bad = (what: string) =>
      VirError.report("NONE", "XML_ERROR", `Invalid PCI address ${what}`);
    if (addr.bus > 0xff) throw bad(`bus='0x${addr.bus.toString(16)}', must be <= 0xFF`);
    if (addr.slot > 0x1f) throw bad(`slot='0x${addr.slot.toString(16)}', must be <= 0x1F`);
    if (addr.function > 7) {
      throw bad(`function=0x${addr.function.toString(16)}, must be <= 7`);
    }
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
