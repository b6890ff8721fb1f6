import { VirError } from "../../util/errors.ts";
import { childText, type XmlElement } from "../../util/xml/mod.ts";

/**
 * libvirt's virTristateBool from an attribute: `yes`/`no`, or undefined when absent; any other
 * value is the error `message` (XML_ERROR in `errorDomain`), or libvirt's generic
 * "Invalid value for attribute '…' in element '…': '…'." when no message is given.
 *
 * @example
 * ```ts
 * import { parseYesNo } from "./values.ts";
 * parseYesNo("yes", "NETWORK", "ipv6", "network"); // true
 * parseYesNo(undefined, "NETWORK", "ipv6", "network"); // undefined
 * ```
 */
export function parseYesNo(
  value: string | undefined,
  errorDomain: string,
  attr: string,
  elementName: string,
  message?: string,
): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === "yes") return true;
  if (value === "no") return false;
  throw VirError.report(
    errorDomain,
    "XML_ERROR",
    message ?? `Invalid value for attribute '${attr}' in element '${elementName}': '${value}'.`,
  );
}

/**
 * `yes`/`no` for a tristate flag, undefined when unset (so formatters can pass it through).
 *
 * @example
 * ```ts
 * import { yesNo } from "./values.ts";
 * yesNo(true); // "yes"
 * ```
 */
export function yesNo(value: boolean | undefined): "yes" | "no" | undefined {
  return value === undefined ? undefined : value ? "yes" : "no";
}

/**
 * libvirt's virStrToLong_ui with base 10 (`-N` wraps like C's strtoul, blanks allowed before);
 * undefined when malformed or out of range.
 *
 * @example
 * ```ts
 * import { parseUInt } from "./values.ts";
 * parseUInt("42"); // 42
 * parseUInt("4x"); // undefined
 * ```
 */
export function parseUInt(text: string | undefined, base = 10): number | undefined {
  if (text === undefined) return undefined;
  const digits = base === 16 ? "[0-9a-fA-F]+" : base === 8 ? "[0-7]+" : "[0-9]+";
  const prefix = base === 16 ? "(?:0[xX])?" : "";
  const m = new RegExp(`^[ \\t\\n\\v\\f\\r]*([+-]?)${prefix}(${digits})$`).exec(text);
  if (!m) return undefined;
  let v = parseInt(m[2], base);
  if (!Number.isFinite(v) || v > 0xffffffff) return undefined;
  if (m[1] === "-") v = v === 0 ? 0 : 0x100000000 - v;
  return v;
}

/**
 * libvirt's virStrToLong_uip: C's strtoul in `base` (0: `0x` hex, a leading `0` octal, else
 * decimal; 16: an optional `0x`) over the whole string, blanks allowed before, no minus sign;
 * undefined when malformed or above 2^32 - 1.
 *
 * @example
 * ```ts
 * import { parseUIntPositive } from "./values.ts";
 * parseUIntPositive("0x1f", 0); // 31
 * parseUIntPositive("-1"); // undefined
 * ```
 */
export function parseUIntPositive(text: string, base: 0 | 8 | 10 | 16 = 10): number | undefined {
  const m = /^[ \t\n\v\f\r]*\+?(.*)$/s.exec(text)!;
  let t = m[1];
  let b: number = base;
  if (base === 0) b = /^0[xX][0-9a-fA-F]/.test(t) ? 16 : /^0/.test(t) ? 8 : 10;
  if (b === 16) t = t.replace(/^0[xX](?=[0-9a-fA-F])/, "");
  const digits = b === 16 ? /^[0-9a-fA-F]+$/ : b === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!digits.test(t)) return undefined;
  const v = parseInt(t, b);
  return v > 0xffffffff ? undefined : v;
}

/**
 * libvirt's virStrToLong_i with base 10 (blanks allowed before); undefined when malformed or
 * outside the C `int` range.
 *
 * @example
 * ```ts
 * import { parseInt32 } from "./values.ts";
 * parseInt32("-5"); // -5
 * ```
 */
export function parseInt32(text: string | undefined, base = 10): number | undefined {
  if (text === undefined) return undefined;
  const digits = base === 8 ? "[0-7]+" : "[0-9]+";
  const m = new RegExp(`^[ \\t\\n\\v\\f\\r]*([+-]?)(${digits})$`).exec(text);
  if (!m) return undefined;
  const v = parseInt(m[1] + m[2], base);
  return v < -0x80000000 || v > 0x7fffffff ? undefined : v;
}

/** virStrToLong_i in another base (0: C's strtol, which takes `0x` and `0` prefixes). */
function parseInt32Base(text: string, base: 0 | 8 | 16): number | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9].*)$/s.exec(text);
  const v = m ? parseUIntPositive(m[2], base) : undefined;
  if (v === undefined) return undefined;
  const signed = m![1] === "-" ? -v : v;
  return signed < -0x80000000 || signed > 0x7fffffff ? undefined : signed;
}

/**
 * The XPath `number()` of a string truncated to an integer, as libvirt's virXPathLongLong
 * reads it: blanks around, optional minus, decimals (`0744` is 744); undefined for NaN.
 *
 * @example
 * ```ts
 * import { xpathInteger } from "./values.ts";
 * xpathInteger(" 0744 "); // 744
 * ```
 */
export function xpathInteger(text: string): number | undefined {
  const m = /^[ \t\n\r]*(-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))[ \t\n\r]*$/.exec(text);
  if (!m) return undefined;
  return Math.trunc(Number(m[1]));
}

/**
 * libvirt's virXMLPropEnum: attribute `attr` of `el` must be one of `values`; undefined when
 * absent unless `required` (then "Missing required attribute"). Its errors come from
 * util/virxml.c, hence VIR_FROM_XML.
 *
 * @example
 * ```ts
 * import { xmlPropEnum } from "./values.ts";
 * xmlPropEnum({ type: "element", name: "pool", attributes: { type: "dir" }, children: [] }, "type", ["dir"]);
 * // "dir"
 * ```
 */
export function xmlPropEnum<T extends string>(
  el: XmlElement,
  attr: string,
  values: readonly T[],
  required = false,
): T | undefined {
  const v = el.attributes[attr];
  if (v === undefined) {
    if (!required) return undefined;
    throw VirError.report(
      "XML",
      "XML_ERROR",
      `Missing required attribute '${attr}' in element '${el.name}'`,
    );
  }
  if (!(values as readonly string[]).includes(v)) {
    throw VirError.report(
      "XML",
      "XML_ERROR",
      `Invalid value for attribute '${attr}' in element '${el.name}': '${v}'.`,
    );
  }
  return v as T;
}

/** virXMLPropFlags: REQUIRED, NONZERO (and NONNEGATIVE, for the signed reader). */
export interface XmlPropFlags {
  /** The reader's base (C's strtoul/strtol: 0 takes `0x`/`0` prefixes); 10 by default. */
  base?: 0 | 8 | 16;
  required?: boolean;
  nonZero?: boolean;
  nonNegative?: boolean;
}

const xmlErr = (msg: string) => VirError.report("XML", "XML_ERROR", msg);

/** The attribute's value, or undefined / the "Missing required attribute" error. */
function propText(el: XmlElement, attr: string, flags: XmlPropFlags): string | undefined {
  const v = el.attributes[attr];
  if (v === undefined && flags.required) {
    throw xmlErr(`Missing required attribute '${attr}' in element '${el.name}'`);
  }
  return v;
}

/**
 * libvirt's virXMLPropStringRequired: the attribute's value, or VIR_FROM_XML's "Missing
 * required attribute".
 *
 * @example
 * ```ts
 * import { xmlPropRequired } from "./values.ts";
 * xmlPropRequired({ type: "element", name: "source", attributes: { dev: "eth0" }, children: [] }, "dev");
 * // "eth0"
 * ```
 */
export function xmlPropRequired(el: XmlElement, attr: string): string {
  return propText(el, attr, { required: true })!;
}

const zero = (el: XmlElement, attr: string) =>
  xmlErr(`Invalid value for attribute '${attr}' in element '${el.name}': Zero is not permitted`);

/**
 * libvirt's virXMLPropUInt / virXMLPropULongLong (base 10): a non-negative integer attribute,
 * undefined when absent; anything else is VIR_FROM_XML's "Expected non-negative integer value".
 * `flags` are virXMLPropFlags' REQUIRED and NONZERO.
 *
 * @example
 * ```ts
 * import { xmlPropUInt } from "./values.ts";
 * xmlPropUInt({ type: "element", name: "ip", attributes: { prefix: "24" }, children: [] }, "prefix");
 * // 24
 * ```
 */
export function xmlPropUInt(
  el: XmlElement,
  attr: string,
  max = 0xffffffff,
  flags: XmlPropFlags = {},
): number | undefined {
  const v = propText(el, attr, flags);
  if (v === undefined) return undefined;
  const m = /^[ \t\n\v\f\r]*\+?([0-9]+)$/.exec(v);
  const n = flags.base !== undefined
    ? parseUIntPositive(v, flags.base) ?? NaN
    : m
    ? Number(m[1])
    : NaN;
  if (!(n <= max)) {
    throw xmlErr(
      `Invalid value for attribute '${attr}' in element '${el.name}': '${v}'. ` +
        "Expected non-negative integer value",
    );
  }
  if (flags.nonZero && n === 0) throw zero(el, attr);
  return n;
}

/**
 * libvirt's virXMLPropInt (base 10): an `int` attribute, undefined when absent, with
 * virXMLPropFlags' REQUIRED, NONNEGATIVE and NONZERO checks and util/virxml.c's errors.
 *
 * @example
 * ```ts
 * import { xmlPropInt } from "./values.ts";
 * xmlPropInt({ type: "element", name: "link", attributes: { port: "-1" }, children: [] }, "port");
 * // -1
 * ```
 */
export function xmlPropInt(
  el: XmlElement,
  attr: string,
  flags: XmlPropFlags = {},
): number | undefined {
  const v = propText(el, attr, flags);
  if (v === undefined) return undefined;
  const n = flags.base === undefined ? parseInt32(v) : parseInt32Base(v, flags.base);
  if (n === undefined) {
    throw xmlErr(
      `Invalid value for attribute '${attr}' in element '${el.name}': '${v}'. ` +
        "Expected integer value",
    );
  }
  if (flags.nonNegative && n < 0) {
    throw xmlErr(
      `Invalid value for attribute '${attr}' in element '${el.name}': '${v}'. ` +
        "Expected non-negative value",
    );
  }
  if (flags.nonZero && n === 0) throw zero(el, attr);
  return n;
}

/**
 * virXPathString: a missing or empty element is no value.
 *
 * @example
 * ```ts
 * import { xpathString } from "./values.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * xpathString(parse("<a><name></name></a>"), "name"); // undefined
 * ```
 */
export function xpathString(el: XmlElement | undefined, name: string): string | undefined {
  const text = childText(el, name);
  return text ? text : undefined;
}
