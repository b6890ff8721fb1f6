import type { XmlElement, XmlNode } from "./types.ts";

/**
 * The first child element called `name`, like libvirt's XPath `./name[1]`.
 *
 * @example
 * ```ts
 * import { child, parse } from "./mod.ts";
 * child(parse("<a><b/></a>"), "b")?.name; // "b"
 * ```
 */
export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  if (!el) return undefined;
  for (const c of el.children) if (c.type === "element" && c.name === name) return c;
  return undefined;
}

/** Every child element, or only those called `name`. */
export function children(el: XmlElement | undefined, name?: string): XmlElement[] {
  if (!el) return [];
  return el.children.filter((c): c is XmlElement =>
    c.type === "element" && (name === undefined || c.name === name)
  );
}

/** The concatenated text and CDATA content of an element (XPath `string(.)` on leaves). */
export function textOf(el: XmlElement | undefined): string | undefined {
  if (!el) return undefined;
  let s = "";
  for (const c of el.children) {
    if (c.type === "text" || c.type === "cdata") s += c.text;
    else if (c.type === "element") s += textOf(c) ?? "";
  }
  return s;
}

/** The text of child `name`, like XPath `string(./name[1])`; undefined when absent. */
export function childText(el: XmlElement | undefined, name: string): string | undefined {
  return textOf(child(el, name));
}

/**
 * Builds an element: attributes whose value is undefined are left out, so formatters can
 * pass optional fields straight through.
 */
export function element(
  name: string,
  attributes: Record<string, string | number | undefined> = {},
  kids: (XmlElement | string | undefined | false)[] = [],
): XmlElement {
  // Plain loops: formatters call this for every element they write.
  const attrs: Record<string, string> = {};
  for (const k in attributes) {
    const v = attributes[k];
    if (v !== undefined) attrs[k] = typeof v === "string" ? v : String(v);
  }
  const children: XmlNode[] = [];
  for (const k of kids) {
    if (typeof k === "string") children.push({ type: "text", text: k });
    else if (k) children.push(k);
  }
  return { type: "element", name, attributes: attrs, children };
}
