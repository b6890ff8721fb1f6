import type { XmlElement, XmlNode } from "./types.ts";

/**
 * libvirt's escaping (virBufferEscapeString): the five markup characters become entities and
 * control characters other than tab, newline and carriage return are dropped.
 *
 * @example
 * ```ts
 * import { escapeXml } from "./stringify.ts";
 * escapeXml("a'b<c"); // "a&apos;b&lt;c"
 * ```
 */
export function escapeXml(s: string): string {
  // Almost every value is plain: one scan answers that without building a new string.
  return NEEDS_ESCAPE.test(s) ? s.replace(ESCAPED, escapeChar) : s;
}

// deno-lint-ignore no-control-regex -- libvirt drops these control characters on output
const NEEDS_ESCAPE = /[<>&'"\x00-\x08\x0b\x0c\x0e-\x1f]/;
// deno-lint-ignore no-control-regex -- the same set, every occurrence
const ESCAPED = /[<>&'"\x00-\x08\x0b\x0c\x0e-\x1f]/g;

function escapeChar(c: string): string {
  switch (c) {
    case "<":
      return "&lt;";
    case ">":
      return "&gt;";
    case "&":
      return "&amp;";
    case "'":
      return "&apos;";
    case '"':
      return "&quot;";
    default:
      return "";
  }
}

/** Formatting options. */
export interface StringifyOptions {
  /** Spaces per level; libvirt uses 2. */
  indent?: number;
  /** Starting depth, for fragments formatted inside a larger document. */
  depth?: number;
}

/**
 * Formats an element tree in libvirt's canonical style: 2-space indentation, single-quoted
 * attributes in the tree's order, `<x/>` for empty elements, leaf text inline, and a final
 * newline. Mixed content (text beside elements) is written as is, without re-indenting.
 *
 * @example
 * ```ts
 * import { element, stringify } from "./mod.ts";
 * stringify(element("domain", { type: "test" }, [element("name", {}, ["a"])]));
 * // "<domain type='test'>\n  <name>a</name>\n</domain>\n"
 * ```
 */
export function stringify(el: XmlElement, options: StringifyOptions = {}): string {
  return write(el, options.depth ?? 0, " ".repeat(options.indent ?? 2));
}

// Strings are built by concatenation: V8 makes ropes of them and flattens once at the end, which
// is cheaper than collecting the pieces in an array and joining.

function openTag(el: XmlElement): string {
  let s = "<" + el.name;
  const attrs = el.attributes;
  for (const k in attrs) s += " " + k + "='" + escapeXml(attrs[k]) + "'";
  return s;
}

function nodeText(n: XmlNode): string {
  if (n.type === "element") return writeInline(n);
  if (n.type === "comment") return "<!--" + n.text + "-->";
  return n.type === "cdata" ? "<![CDATA[" + n.text + "]]>" : escapeXml(n.text);
}

function writeInline(el: XmlElement): string {
  if (!el.children.length) return openTag(el) + "/>";
  let s = openTag(el) + ">";
  for (const c of el.children) s += nodeText(c);
  return s + "</" + el.name + ">";
}

function isBlank(n: XmlNode): boolean {
  return n.type === "text" && n.text.trim() === "";
}

function write(el: XmlElement, depth: number, unit: string): string {
  const pad = unit.repeat(depth);
  // What the children are, ignoring whitespace-only text (the layout this function replaces).
  let hasElement = false;
  let hasText = false;
  for (const c of el.children) {
    if (c.type === "element" || c.type === "comment") hasElement = true;
    else if (!isBlank(c)) hasText = true;
  }
  if (!hasElement && !hasText) {
    return pad + openTag(el) + (el.keepOpen ? ">\n" + pad + "</" + el.name + ">\n" : "/>\n");
  }
  if (hasText) return pad + writeInline(el) + "\n";
  let s = pad + openTag(el) + ">\n";
  for (const c of el.children) {
    if (c.type === "element") s += write(c, depth + 1, unit);
    else if (c.type === "comment") s += pad + unit + nodeText(c) + "\n";
  }
  return s + pad + "</" + el.name + ">\n";
}
