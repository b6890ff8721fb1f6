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

/** Positions of element names in an output order, for {@link childrenInOrder}; build it once. */
export type NameOrder = ReadonlyMap<string, number>;

/**
 * The {@link NameOrder} of a list of distinct names.
 *
 * @example
 * ```ts
 * import { nameOrder } from "./mod.ts";
 * nameOrder(["type", "boot"]).get("boot"); // 1
 * ```
 */
export function nameOrder(names: readonly string[]): NameOrder {
  return new Map(names.map((n, i) => [n, i]));
}

/**
 * The child elements whose name is in `order`, sorted by that order and in document order among
 * equal names: what `for (const n of names) children(el, n)` collects, in one pass over `el`
 * instead of one per name.
 *
 * @example
 * ```ts
 * import { childrenInOrder, nameOrder, parse } from "./mod.ts";
 * const order = nameOrder(["b", "a"]);
 * childrenInOrder(parse("<r><a/><c/><b/></r>"), order).map((e) => e.name); // ["b", "a"]
 * ```
 */
export function childrenInOrder(el: XmlElement | undefined, order: NameOrder): XmlElement[] {
  const out: XmlElement[] = [];
  if (!el) return out;
  for (const c of el.children) if (c.type === "element" && order.has(c.name)) out.push(c);
  // Array.prototype.sort is stable, which keeps document order among equal names.
  if (out.length > 1) out.sort((a, b) => order.get(a.name)! - order.get(b.name)!);
  return out;
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
