import type { XmlElement, XmlNode } from "../../util/xml/mod.ts";

/** The namespace URI an element's prefix (or default namespace) resolves to, if any. */
function namespaceOf(el: XmlElement, ancestors: XmlElement[]): string | undefined {
  const colon = el.name.indexOf(":");
  const attr = colon < 0 ? "xmlns" : `xmlns:${el.name.slice(0, colon)}`;
  for (const scope of [el, ...ancestors.toReversed()]) {
    const uri = scope.attributes[attr];
    if (uri !== undefined) return uri || undefined;
  }
  return undefined;
}

function dropBlanks(el: XmlElement): XmlElement {
  const kids: XmlNode[] = [];
  for (const c of el.children) {
    if (c.type === "text" && c.text.trim() === "") continue;
    kids.push(c.type === "element" ? dropBlanks(c) : c);
  }
  return { ...el, children: kids };
}

/**
 * libvirt's handling of `<metadata>` at parse time: blank text is dropped (libvirt's parser
 * keeps no blanks), and direct children without a namespace, or whose namespace already
 * appeared, are removed (virXMLNodeSanitizeNamespaces). `ancestors` are the elements above
 * `<metadata>` (outermost first), where namespace prefixes may be declared; declarations used
 * from there are copied onto the child, as libxml2 does when it copies the node.
 *
 * @example
 * ```ts
 * import { sanitizeMetadata } from "./metadata.ts";
 * import { child, parse } from "../../util/xml/mod.ts";
 * const root = parse("<n><metadata><a:x xmlns:a='urn:a'/><y/></metadata></n>");
 * sanitizeMetadata(child(root, "metadata")!, [root]).children.length; // 1
 * ```
 */
export function sanitizeMetadata(metadata: XmlElement, ancestors: XmlElement[]): XmlElement {
  const seen = new Set<string>();
  const kids: XmlNode[] = [];
  for (const c of dropBlanks(metadata).children) {
    if (c.type !== "element") continue;
    const ns = namespaceOf(c, [...ancestors, metadata]);
    if (ns === undefined || seen.has(ns)) continue;
    seen.add(ns);
    const colon = c.name.indexOf(":");
    const attr = colon < 0 ? "xmlns" : `xmlns:${c.name.slice(0, colon)}`;
    kids.push(
      c.attributes[attr] === undefined ? { ...c, attributes: { [attr]: ns, ...c.attributes } } : c,
    );
  }
  return { type: "element", name: "metadata", attributes: {}, children: kids };
}

function escapeAttr(s: string): string {
  return s.replace(
    /[<>&"\n\r\t]/g,
    (c) =>
      ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;" })[
        c
      ] ?? "&#9;",
  );
}

function escapeText(s: string): string {
  return s.replace(/[<>&\r]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;" })[c] ?? "&#13;");
}

function dump(node: XmlNode, depth: number, format: boolean, out: string[]): void {
  if (node.type !== "element") {
    out.push(
      node.type === "text"
        ? escapeText(node.text)
        : node.type === "cdata"
        ? `<![CDATA[${node.text}]]>`
        : `<!--${node.text}-->`,
    );
    return;
  }
  let open = "<" + node.name;
  for (const [k, v] of Object.entries(node.attributes)) open += ` ${k}="${escapeAttr(v)}"`;
  if (!node.children.length) return void out.push(open + "/>");
  out.push(open + ">");
  // libxml2 only indents children when the element holds no text.
  const indent = format && node.children.every((c) => c.type === "element" || c.type === "comment");
  for (const c of node.children) {
    if (indent) out.push("\n" + "  ".repeat(depth + 1));
    dump(c, depth + 1, indent, out);
  }
  if (indent) out.push("\n" + "  ".repeat(depth));
  out.push(`</${node.name}>`);
}

/**
 * Serialises a `<metadata>` subtree the way libvirt's virXMLFormatMetadata does (libxml2's
 * xmlNodeDump with formatting): double-quoted attributes, children indented when there is no
 * text beside them. `depth` is the element's nesting level; the result has no final newline
 * and no indentation before the opening tag.
 *
 * @example
 * ```ts
 * import { formatMetadata } from "./metadata.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * formatMetadata(parse("<metadata><a:x xmlns:a='urn:a'>t</a:x></metadata>"), 1);
 * // '<metadata>\n    <a:x xmlns:a="urn:a">t</a:x>\n  </metadata>'
 * ```
 */
export function formatMetadata(metadata: XmlElement, depth: number): string {
  const out: string[] = [];
  dump(metadata, depth, true, out);
  return out.join("");
}
