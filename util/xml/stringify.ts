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
  // deno-lint-ignore no-control-regex -- libvirt drops these control characters on output
  return s.replace(/[<>&'"\x00-\x08\x0b\x0c\x0e-\x1f]/g, (c) => {
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
  });
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
  const out: string[] = [];
  write(el, options.depth ?? 0, " ".repeat(options.indent ?? 2), out);
  return out.join("");
}

function openTag(el: XmlElement): string {
  let s = "<" + el.name;
  for (const [k, v] of Object.entries(el.attributes)) s += ` ${k}='${escapeXml(v)}'`;
  return s;
}

function nodeText(n: XmlNode): string {
  if (n.type === "element") {
    const out: string[] = [];
    writeInline(n, out);
    return out.join("");
  }
  if (n.type === "comment") return `<!--${n.text}-->`;
  return n.type === "cdata" ? `<![CDATA[${n.text}]]>` : escapeXml(n.text);
}

function writeInline(el: XmlElement, out: string[]): void {
  if (!el.children.length) {
    out.push(openTag(el) + "/>");
    return;
  }
  out.push(openTag(el) + ">");
  for (const c of el.children) out.push(nodeText(c));
  out.push(`</${el.name}>`);
}

function write(el: XmlElement, depth: number, unit: string, out: string[]): void {
  const pad = unit.repeat(depth);
  const kids = el.children.filter((c) => !(c.type === "text" && c.text.trim() === ""));
  if (!kids.length) {
    out.push(pad + openTag(el) + (el.keepOpen ? `>\n${pad}</${el.name}>\n` : "/>\n"));
    return;
  }
  const hasElement = kids.some((c) => c.type === "element" || c.type === "comment");
  const hasText = kids.some((c) => c.type === "text" || c.type === "cdata");
  if (!hasElement || hasText) {
    out.push(pad + openTag(el) + ">");
    for (const c of el.children) out.push(nodeText(c));
    out.push(`</${el.name}>\n`);
    return;
  }
  out.push(pad + openTag(el) + ">\n");
  for (const c of kids) {
    if (c.type === "element") write(c, depth + 1, unit, out);
    else out.push(pad + unit + nodeText(c) + "\n");
  }
  out.push(`${pad}</${el.name}>\n`);
}
