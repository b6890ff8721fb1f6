/**
 * The `<source>` of a USB host device (a `<hostdev type='usb'>`, or an `<interface
 * type='hostdev'>` whose source names a vendor), checked as libvirt 9.0's
 * virDomainHostdevSubsysUSBDefParseXML reads it: its policy attributes, the vendor and product
 * ids (C's strtoul base 0: `0x` hex, a leading `0` octal), each needing the other, and the
 * bus and device of its address.
 *
 * @example
 * ```ts
 * import { checkUsbHostdevSource } from "./hostdev_usb.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * checkUsbHostdevSource(parse("<source><vendor id='0x1234'/><product id='0xbeef'/></source>"));
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { child, type XmlElement } from "../../util/xml/mod.ts";
import { xmlPropEnum, xmlPropUInt } from "../common/mod.ts";
import { STARTUP_POLICIES } from "./startup_policy.ts";

/** Throws libvirt's error for the first thing wrong in the USB source `source`. */
export function checkUsbHostdevSource(source: XmlElement): void {
  // VIR_XML_PROP_NONZERO: the enums' "default" is refused as an unknown value is.
  xmlPropEnum(source, "startupPolicy", STARTUP_POLICIES);
  xmlPropEnum(source, "autoAddress", ["yes", "no"] as const);
  xmlPropEnum(source, "guestReset", ["off", "uninitialized", "on"] as const);
  const vendor = child(source, "vendor");
  const product = child(source, "product");
  const missing = (what: string) => VirError.report("DOMAIN", "INTERNAL_ERROR", `missing ${what}`);
  if (vendor) {
    xmlPropUInt(vendor, "id", undefined, { base: 0, required: true, nonZero: true });
    if (!product) throw missing("product");
  }
  if (product) {
    xmlPropUInt(product, "id", undefined, { base: 0, required: true });
    if (!vendor) throw missing("vendor");
  }
  const address = child(source, "address");
  if (address) {
    xmlPropUInt(address, "bus", undefined, { base: 0, required: true });
    xmlPropUInt(address, "device", undefined, { base: 0, required: true });
  }
}
