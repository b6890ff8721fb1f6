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
const INTEGERS: Record<string, { signed: boolean; min: bigint; max: bigint }> = {
  int: { signed: true, min: -2147483648n, max: 2147483647n },
  unsignedInt: { signed: false, min: 0n, max: 4294967295n },
  unsignedLong: { signed: false, min: 0n, max: 18446744073709551615n },
  positiveInteger: { signed: true, min: 1n, max: -1n },
};

/** Whether `type` is one this module checks. */
export function isKnownType(type: string): boolean {
  return type === "string" || Object.hasOwn(INTEGERS, type);
}

/** The integer value of `value` for `type`, or undefined when the type refuses it. */
function integer(type: string, value: string): bigint | undefined {
  const t = INTEGERS[type];
  // xmlSchemaParseUInt: digits only, at most 24 of them after leading zeros.
  const m = /^[ \t\n\r]*([-+]?)0*([0-9]*)[ \t\n\r]*$/.exec(value);
  if (!m || !/[0-9]/.test(value) || m[2].length > 24) return undefined;
  if (m[1] && !t.signed) return undefined;
  const n = (m[1] === "-" ? -1n : 1n) * BigInt(m[2] || "0");
  if (n < t.min || (t.max >= 0n && n > t.max)) return undefined;
  return n;
}

/** Whether `value` is of the XML Schema type `type` (its lexical space and range). */
export function xsdType(type: string, value: string): boolean {
  return type === "string" || integer(type, value) !== undefined;
}

const patterns = new Map<string, RegExp>();

/** An XML Schema pattern as a JavaScript one: implicitly anchored at both ends. */
function pattern(p: string): RegExp {
  let re = patterns.get(p);
  if (!re) {
    if (/\\[iIcCpP]|-\[/.test(p)) throw new Error(`xsd: unsupported pattern ${p}`);
    re = new RegExp(`^(?:${p})$`);
    patterns.set(p, re);
  }
  return re;
}

/** Refuses, when a schema is loaded, the facets {@link xsdFacet} cannot check. */
export function checkFacetParam(type: string, facet: string, facetValue: string): void {
  if (facet === "pattern") pattern(facetValue);
  else if (facet !== "minInclusive" && facet !== "maxInclusive" || type === "string") {
    throw new Error(`xsd: unsupported facet ${facet} on ${type}`);
  }
}

/** Whether `value` (already of type `type`) satisfies the facet. */
export function xsdFacet(type: string, facet: string, facetValue: string, value: string): boolean {
  if (facet === "pattern") return pattern(facetValue).test(value);
  const n = integer(type, value)!;
  const bound = BigInt(facetValue.trim());
  return facet === "minInclusive" ? n >= bound : n <= bound;
}
