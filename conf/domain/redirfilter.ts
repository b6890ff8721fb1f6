/**
 * `<redirfilter>` (virDomainRedirFilterDefParseXML / virDomainRedirFilterDefFormat): USB
 * redirection rules, each `<usbdev>` with its class, vendor, product (C `int`s in any base),
 * BCD version and whether it is allowed; a filter without rules is not written.
 *
 * @example
 * ```ts
 * import { parseRedirfilter } from "./redirfilter.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseRedirfilter(parse("<redirfilter><usbdev class='8' allow='yes'/></redirfilter>"));
 * // <redirfilter><usbdev class='0x08' allow='yes'/></redirfilter>
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { children, element, type XmlElement } from "../../util/xml/mod.ts";
import { xmlPropEnum } from "../common/values.ts";

/** virXMLPropInt in base 0 (C's strtol: `0x` hex, leading `0` octal); -1 when absent. */
function intProp(el: XmlElement, attr: string): number {
  const v = el.attributes[attr];
  if (v === undefined) return -1;
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(v);
  const digits = m?.[2] ?? "";
  const n = !m
    ? NaN
    : (m[1] === "-" ? -1 : 1) * (/^0[xX]/.test(digits)
      ? parseInt(digits.slice(2), 16)
      : digits.startsWith("0")
      ? parseInt(digits, 8)
      : parseInt(digits, 10));
  if (!(n >= -0x80000000 && n <= 0x7fffffff)) {
    throw VirError.report(
      "XML",
      "XML_ERROR",
      `Invalid value for attribute '${attr}' in element '${el.name}': '${v}'. ` +
        "Expected integer value",
    );
  }
  return n;
}

/** virDomainRedirFilterUSBVersionHelper: `MAJOR.MINOR` as BCD, -1 for `-1` or none. */
function version(text: string | undefined): number {
  if (text === undefined || text === "-1") return -1;
  const m = /^[ \t\n\v\f\r]*\+?([0-9]+)\.[ \t\n\v\f\r]*\+?([0-9]+)$/.exec(text);
  const major = m ? Number(m[1]) : 100;
  let minor = m ? Number(m[2]) : 100;
  if (major >= 100 || minor >= 100) {
    throw VirError.report("DOMAIN", "XML_ERROR", `Cannot parse USB device version ${text}`);
  }
  // JJ.M reads as JJ.M0; the minor part's length is that of the text after the dot.
  if (text.slice(text.indexOf(".") + 1).length === 1) minor *= 10;
  return (Math.trunc(major / 10) << 12) | (major % 10) << 8 | (Math.trunc(minor / 10) << 4) |
    (minor % 10);
}

const hex = (n: number, width: number) => "0x" + n.toString(16).toUpperCase().padStart(width, "0");

/** The filter as libvirt writes it, or undefined when it has no rule. */
export function parseRedirfilter(el: XmlElement): XmlElement | undefined {
  const rules = children(el, "usbdev").map((u) => {
    const usbClass = intProp(u, "class");
    if (usbClass !== -1 && (usbClass & ~0xff)) {
      throw VirError.report(
        "DOMAIN",
        "INTERNAL_ERROR",
        `Invalid USB Class code 0x${(usbClass >>> 0).toString(16)}`,
      );
    }
    const vendor = intProp(u, "vendor");
    const product = intProp(u, "product");
    const bcd = version(u.attributes.version);
    const allow = xmlPropEnum(u, "allow", ["yes", "no"], true)!;
    const v = bcd < 0
      ? undefined
      : `${((bcd & 0xf000) >> 12) * 10 + ((bcd & 0x0f00) >> 8)}.${
        String(((bcd & 0x00f0) >> 4) * 10 + (bcd & 0x000f)).padStart(2, "0")
      }`;
    return element("usbdev", {
      class: usbClass >= 0 ? hex(usbClass, 2) : undefined,
      vendor: vendor >= 0 ? hex(vendor, 4) : undefined,
      product: product >= 0 ? hex(product, 4) : undefined,
      version: v,
      allow,
    });
  });
  return rules.length ? element("redirfilter", {}, rules) : undefined;
}
