/**
 * Small edits of the element trees drivers keep tunables in (`<memtune>`,
 * `<numatune>`, `<blkiotune>`, `<perf>`, a disk's `<iotune>`, an interface's `<bandwidth>`):
 * libvirt prints them from its structures in a fixed order, so an edit puts the element where
 * libvirt would print it.
 *
 * @module
 */
import type { DomainDef, XmlElementJSON } from "./def.ts";
import { elementSpec } from "./schema.ts";

/**
 * Replaces (or, with `el` undefined, removes) the children called `name` of `parent`, keeping
 * the children ordered as `order` lists them.
 *
 * @example
 * ```ts
 * import { setChild } from "./tune_xml.ts";
 * const memtune = { type: "element" as const, name: "memtune", attributes: {}, children: [] };
 * setChild(memtune, "soft_limit", undefined, ["hard_limit", "soft_limit"]);
 * ```
 */
export function setChild(
  parent: XmlElementJSON,
  name: string,
  el: XmlElementJSON | undefined,
  order: readonly string[],
): void {
  const kids = parent.children.filter((c) => c.type !== "element" || c.name !== name);
  if (el) kids.push(el);
  const rank = (n: string) => order.indexOf(n);
  parent.children = kids.sort((a, b) =>
    a.type === "element" && b.type === "element" ? rank(a.name) - rank(b.name) : 0
  );
}

/**
 * The top-level section `name` of a definition, created empty when `create` is set.
 *
 * @example
 * ```ts
 * import { section } from "./tune_xml.ts";
 * declare const def: import("./def.ts").DomainDef;
 * section(def, "memtune", true).children.length;
 * ```
 */
export function section(def: DomainDef, name: string, create: true): XmlElementJSON;
export function section(def: DomainDef, name: string): XmlElementJSON | undefined;
export function section(def: DomainDef, name: string, create = false): XmlElementJSON | undefined {
  let el = def.sections.find((s) => s.name === name);
  if (!el && create) {
    el = { type: "element", name, attributes: {}, children: [] };
    def.sections.push(el);
  }
  return el;
}

/**
 * Drops section `name` when it has no children left (libvirt prints nothing for it then).
 *
 * @example
 * ```ts
 * import { dropIfEmpty } from "./tune_xml.ts";
 * declare const def: import("./def.ts").DomainDef;
 * dropIfEmpty(def, "memtune");
 * ```
 */
export function dropIfEmpty(def: DomainDef, name: string): void {
  def.sections = def.sections.filter((s) => s.name !== name || s.children.length > 0);
}

/**
 * The child order libvirt prints inside element `name` found under `parent` (from the domain
 * schema).
 *
 * @example
 * ```ts
 * import { kidOrder } from "./tune_xml.ts";
 * kidOrder("memtune"); // ["hard_limit", "soft_limit", "min_guarantee", "swap_hard_limit"]
 * ```
 */
export function kidOrder(name: string, parent = "domain"): string[] {
  return elementSpec(parent, name)?.kids ?? [];
}
