/**
 * The XML Schema data types and facets libvirt's schemas use, checked as libxml2 2.9's
 * xmlSchemaValPredefTypeNode and xmlSchemaValidateFacet check them: integers may have blanks
 * around them (the type allows `' 5 '`, a `pattern` facet on the raw text then may not), the
 * unsigned types take no sign, and patterns match the whole raw value.
 *
 * @example
 * ```ts
 * import { xsdFacet, xsdType } from "./xsd_datatypes.ts";
 * xsdType("unsignedInt", "+5"); // false
 * xsdType("int", " -5 "); // true
 * xsdFacet("string", "pattern", "[0-9]+", "12"); // true
 * ```
 * @module
 */

/** The integer types' ranges, in libxml2's terms. */
const INTEGERS: Record<string, { signed: boolean; min?: bigint; max?: bigint }> = {
  integer: { signed: true },
  long: { signed: true, min: -9223372036854775808n, max: 9223372036854775807n },
  int: { signed: true, min: -2147483648n, max: 2147483647n },
  short: { signed: true, min: -32768n, max: 32767n },
  unsignedShort: { signed: false, min: 0n, max: 65535n },
  unsignedInt: { signed: false, min: 0n, max: 4294967295n },
  unsignedLong: { signed: false, min: 0n, max: 18446744073709551615n },
  positiveInteger: { signed: true, min: 1n },
};

/** Blanks libxml2 skips around a value it normalises on the fly. */
const collapse = (v: string) => v.replace(/^[ \t\n\r]+|[ \t\n\r]+$/g, "");

/**
 * The non-integer types, by their lexical space (xmlSchemaValAtomicType): a double's decimal,
 * exponent and special values; a dateTime with its optional fraction and zone; an NCName; an
 * anyURI that xmlParseURI takes once the characters it escapes are replaced (no bad `%`
 * escape, one fragment).
 */
const LEXICAL: Record<string, (v: string) => boolean> = {
  string: () => true,
  double: (v) =>
    /^(?:-?INF|NaN|[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)$/.test(collapse(v)),
  dateTime: (v) => dateTime(collapse(v)),
  NCName: (v) => /^[A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*$/.test(collapse(v)),
  anyURI: (v) => !/%(?![0-9A-Fa-f]{2})|#.*#/.test(collapse(v)),
};

/** An XML Schema dateTime: the date's day within its month, the time within the day. */
function dateTime(v: string): boolean {
  const m =
    /^(-?[0-9]{4,})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2}(?:\.[0-9]+)?)(Z|[+-][0-9]{2}:[0-9]{2})?$/
      .exec(v);
  if (!m) return false;
  const [year, month, day, hour, min, sec] = m.slice(1, 7).map(Number);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (year === 0 || !days || day < 1 || day > days) return false;
  if (m[7] && m[7] !== "Z" && (Number(m[7].slice(1, 3)) > 14 || Number(m[7].slice(4)) > 59)) {
    return false;
  }
  return (hour < 24 && min < 60 && sec < 60) || (hour === 24 && min === 0 && sec === 0);
}

/** Whether `type` is one this module checks. */
export function isKnownType(type: string): boolean {
  return Object.hasOwn(LEXICAL, type) || Object.hasOwn(INTEGERS, type);
}

/** The integer value of `value` for `type`, or undefined when the type refuses it. */
function integer(type: string, value: string): bigint | undefined {
  const t = INTEGERS[type];
  // xmlSchemaParseUInt: digits only, at most 24 of them after leading zeros.
  const m = /^[ \t\n\r]*([-+]?)0*([0-9]*)[ \t\n\r]*$/.exec(value);
  if (!m || !/[0-9]/.test(value) || m[2].length > 24) return undefined;
  if (m[1] && !t.signed) return undefined;
  const n = (m[1] === "-" ? -1n : 1n) * BigInt(m[2] || "0");
  if ((t.min !== undefined && n < t.min) || (t.max !== undefined && n > t.max)) return undefined;
  return n;
}

/** Whether `value` is of the XML Schema type `type` (its lexical space and range). */
export function xsdType(type: string, value: string): boolean {
  if (Object.hasOwn(LEXICAL, type)) return LEXICAL[type](value);
  return integer(type, value) !== undefined;
}

const patterns = new Map<string, RegExp>();

/**
 * XML Schema regular expressions have no anchors: a `^` or `$` outside a character class is the
 * character itself (nwfilter.rng's variables are `$NAME`), escaped for JavaScript.
 */
function literalAnchors(p: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === "\\") {
      out += c + (p[++i] ?? "");
      continue;
    }
    if (c === "[") inClass = true;
    else if (c === "]") inClass = false;
    out += !inClass && (c === "$" || c === "^") ? `\\${c}` : c;
  }
  return out;
}

/** An XML Schema pattern as a JavaScript one: implicitly anchored at both ends. */
function pattern(p: string): RegExp {
  let re = patterns.get(p);
  if (!re) {
    if (/\\[iIcCpP]|\[[^\]]*-\[/.test(p)) throw new Error(`xsd: unsupported pattern ${p}`);
    re = new RegExp(`^(?:${literalAnchors(p)})$`);
    patterns.set(p, re);
  }
  return re;
}

/** Refuses, when a schema is loaded, the facets {@link xsdFacet} cannot check. */
export function checkFacetParam(type: string, facet: string, facetValue: string): void {
  if (facet === "pattern") pattern(facetValue);
  else if (facet === "maxLength" && type === "string") return;
  else if (
    facet !== "minInclusive" && facet !== "maxInclusive" ||
    !(Object.hasOwn(INTEGERS, type) || type === "double")
  ) {
    throw new Error(`xsd: unsupported facet ${facet} on ${type}`);
  }
}

/** Whether `value` (already of type `type`) satisfies the facet. */
export function xsdFacet(type: string, facet: string, facetValue: string, value: string): boolean {
  if (facet === "pattern") return pattern(facetValue).test(value);
  // xmlSchemaValidateLengthFacet counts characters.
  if (facet === "maxLength") return [...value].length <= Number(facetValue);
  if (type === "double") {
    const [x, b] = [Number(collapse(value)), Number(collapse(facetValue))];
    return facet === "minInclusive" ? x >= b : x <= b;
  }
  const n = integer(type, value)!;
  const bound = BigInt(facetValue.trim());
  return facet === "minInclusive" ? n >= bound : n <= bound;
}
