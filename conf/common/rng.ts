/**
 * A small, table-driven stand-in for the RELAX NG validation that libvirt runs (through libxml2)
 * when a `*_VALIDATE` flag is given: the root's attributes, its known children and the values of
 * the common data types, reported with libxml2's wording and in libxml2's line order under
 * VIR_ERR_XML_INVALID_SCHEMA (VIR_FROM_XML).
 *
 * libxml2 does not report every inner failure of an element that sits in an `<interleave>`: for
 * most it only says "Extra element X in interleave". The tables say, per element, whether its own
 * lines are kept (`detail`), whether it sits in one of libvirt's nested interleaves (`nested`,
 * which adds "Invalid sequence in interleave") and whether it precedes the interleave (`alone`,
 * whose own lines are then all that is reported), as libvirt 9.0's schemas behave.
 *
 * @example
 * ```ts
 * import { rngValidate, type RngSchema } from "./rng.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * const schema: RngSchema = {
 *   file: "demo.rng",
 *   root: "demo",
 *   attrs: {},
 *   elements: { size: { text: "unsignedLong", detail: true } },
 * };
 * rngValidate(parse("<demo><size>4</size></demo>"), schema); // passes
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { children, textOf, type XmlElement } from "../../util/xml/mod.ts";

/** An XML Schema data type with libvirt's `[0-9]+` pattern facet, or a `<choice>` of values. */
export type RngValue =
  | "unsignedLong"
  | "unsignedInt"
  | "positiveInteger"
  | "uuid"
  | "string"
  | RegExp
  | readonly string[];

/** One child element of the root. */
export interface RngElement {
  /** Allowed attributes and their values (others are invalid unless `openAttrs`). */
  attrs?: Record<string, RngValue>;
  /**
   * The element's schema is a choice of attribute groups: only the listed attributes are
   * checked, and a bad value of one reads "Error validating value".
   */
  openAttrs?: boolean;
  /** The element may repeat. */
  many?: boolean;
  /** The element's text content, when it has one to check. */
  text?: RngValue;
  /** libxml2 reports the element's own failures before "Extra element …". */
  detail?: boolean;
  /** The element belongs to one of libvirt's nested interleaves. */
  nested?: boolean;
  /** The element precedes the interleave: its own failures are the whole report. */
  alone?: boolean;
}

/** A document kind's schema, reduced to what this validator checks. */
export interface RngSchema {
  /** Schema file name under /usr/share/libvirt/schemas. */
  file: string;
  root: string;
  attrs: Record<string, RngValue>;
  /**
   * Required root attributes: a bad value fails the whole root ("Element X failed to validate
   * content"), where a bad optional one is an "Invalid attribute".
   */
  required?: string[];
  /** Known children; a child listed as `{}` is accepted without checks. */
  elements: Record<string, RngElement>;
  /**
   * Children the root's interleave requires, in the schema's order: the first one missing
   * fails the document once its present children passed.
   */
  requiredElements?: string[];
}

const UINT_MAX: Record<string, bigint> = {
  unsignedLong: 18446744073709551615n,
  unsignedInt: 4294967295n,
};

/** The libxml2 line for `value` of type `type`, or undefined when the value is valid. */
function valueError(type: RngValue, value: string): string | undefined {
  if (type instanceof RegExp) return type.test(value) ? undefined : "Error validating value ";
  if (typeof type !== "string") {
    return type.includes(value) ? undefined : "Error validating value ";
  }
  if (type === "string") return undefined;
  if (type === "uuid") {
    const ok = /^[a-fA-F0-9]{32}$/.test(value) ||
      /^[a-fA-F0-9]{8}-([a-fA-F0-9]{4}-){3}[a-fA-F0-9]{12}$/.test(value);
    return ok ? undefined : "Error validating value ";
  }
  // XML Schema collapses blanks around an integer; libvirt's pattern facet does not allow them.
  const collapsed = value.replace(/^[ \t\n\r]+|[ \t\n\r]+$/g, "");
  const m = /^\+?([0-9]+)$/.exec(collapsed);
  const n = m ? BigInt(m[1]) : undefined;
  const inType = n !== undefined &&
    (type === "positiveInteger" ? n > 0n : n <= UINT_MAX[type]);
  if (!inType) return `Type ${type} doesn't allow value '${value}'`;
  return /^[0-9]+$/.test(value) ? undefined : `Error validating datatype ${type}`;
}

/** libxml2's lines for one element's own content, empty when it is valid. */
function elementErrors(el: XmlElement, rule: RngElement): string[] {
  // Without `attrs` the element's attributes are not checked (a child listed as `{}`).
  for (const [name, value] of Object.entries(rule.attrs ? el.attributes : {})) {
    const type = rule.attrs?.[name];
    if (type === undefined && rule.openAttrs) continue;
    const bad = type === undefined || valueError(type, value) !== undefined;
    if (bad && rule.openAttrs) return ["Error validating value "];
    if (bad) return [`Invalid attribute ${name} for element ${el.name}`];
  }
  if (rule.text !== undefined) {
    const line = valueError(rule.text, textOf(el) ?? "");
    if (line) return [line];
  }
  return [];
}

/**
 * libvirt's VIR_ERR_XML_INVALID_SCHEMA for a document `file` (a schema under
 * /usr/share/libvirt/schemas) refused with libxml2's `lines`.
 */
export function schemaInvalid(file: string, lines: string[]): VirError {
  return VirError.report(
    "XML",
    "XML_INVALID_SCHEMA",
    `Unable to validate doc against /usr/share/libvirt/schemas/${file}\n` +
      lines.map((l) => l + "\n").join(""),
  );
}

/**
 * Validates `root` against `schema` the way libvirt's virXMLValidateAgainstSchema reports it;
 * throws VIR_ERR_XML_INVALID_SCHEMA on the first failure.
 */
export function rngValidate(root: XmlElement, schema: RngSchema): void {
  const rootFailed = `Element ${root.name} failed to validate content`;
  for (const [name, value] of Object.entries(root.attributes)) {
    // Namespace declarations are not attributes to libxml2.
    if (name === "xmlns" || name.startsWith("xmlns:")) continue;
    const type = schema.attrs[name];
    if (type !== undefined && !valueError(type, value)) continue;
    if (type !== undefined && schema.required?.includes(name)) {
      throw schemaInvalid(schema.file, [rootFailed]);
    }
    throw schemaInvalid(schema.file, [`Invalid attribute ${name} for element ${root.name}`]);
  }
  for (const el of children(root)) {
    if (!Object.hasOwn(schema.elements, el.name)) {
      throw schemaInvalid(schema.file, [`Element ${root.name} has extra content: ${el.name}`]);
    }
  }
  const seen = new Set<string>();
  for (const el of children(root)) {
    const rule = schema.elements[el.name];
    const own = elementErrors(el, rule);
    const repeated = seen.has(el.name) && !rule.many;
    seen.add(el.name);
    if (!own.length && !repeated) continue;
    if (rule.alone && own.length) throw schemaInvalid(schema.file, own);
    throw schemaInvalid(schema.file, [
      ...(rule.detail ? own : []),
      `Extra element ${el.name} in interleave`,
      ...(rule.nested ? ["Invalid sequence in interleave"] : []),
      rootFailed,
    ]);
  }
  const missing = schema.requiredElements?.find((name) => !seen.has(name));
  if (missing !== undefined) {
    throw schemaInvalid(schema.file, [
      `Expecting an element ${missing}, got nothing`,
      "Invalid sequence in interleave",
      rootFailed,
    ]);
  }
}
