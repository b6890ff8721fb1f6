/**
 * A definition's IOThreads as libvirt keeps them (`def->iothreadids`): the ids of
 * `<iothreadids>` followed by the ones `virDomainDefPostParseIOThreads` fills in up to the
 * `<iothreads>` count, and their `<iothreadpin>` masks in `<cputune>`.
 *
 * @example
 * ```ts
 * import { iothreadIdsOf } from "./iothreads.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * iothreadIdsOf(def); // [1, 2] for <iothreads>2</iothreads>
 * ```
 * @module
 */
import type { DomainDef } from "./def.ts";
import type { XmlElement } from "../../util/xml/mod.ts";

const SECTION = "iothreadids";

function section(def: DomainDef): XmlElement | undefined {
  return def.sections.find((s) => s.name === SECTION);
}

/** The IOThread ids: listed ones, then the lowest free ids up to the `<iothreads>` count. */
export function iothreadIdsOf(def: DomainDef): number[] {
  const ids = (section(def)?.children ?? [])
    .filter((c): c is XmlElement => c.type === "element" && c.name === "iothread")
    .map((c) => Number(c.attributes.id));
  for (let next = 1; ids.length < (def.iothreads ?? 0); next++) {
    if (!ids.includes(next)) ids.push(next);
  }
  return ids;
}

/**
 * Sets the IOThread ids: `<iothreads>` counts them and, as an id added or removed by an API
 * call is no longer filled in automatically, `<iothreadids>` lists them all.
 *
 * @example
 * ```ts
 * import { writeIothreadIds } from "./iothreads.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * writeIothreadIds(def, [1, 5]); // <iothreads>2</iothreads><iothreadids>…</iothreadids>
 * ```
 */
export function writeIothreadIds(def: DomainDef, ids: number[]): void {
  def.sections = def.sections.filter((s) => s.name !== SECTION);
  def.iothreads = ids.length || undefined;
  if (!ids.length) return;
  def.sections.push({
    type: "element",
    name: SECTION,
    attributes: {},
    children: ids.map((id) => ({
      type: "element",
      name: "iothread",
      attributes: { id: String(id) },
      children: [],
    })),
  });
}

/**
 * `virDomainDefPostParseIOThreads` for a definition that lists `<iothreadids>`: the ids filled
 * in up to the `<iothreads>` count join the list (libvirt prints them all once one is listed),
 * and the count covers every listed id.
 *
 * @example
 * ```ts
 * import { fillIothreadIds } from "./iothreads.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * fillIothreadIds(def); // <iothreads>2</iothreads> with <iothread id='5'/>: ids 5 and 1
 * ```
 */
export function fillIothreadIds(def: DomainDef): void {
  const el = section(def);
  if (!el) return;
  const ids = iothreadIdsOf(def);
  const listed = new Set(
    el.children.flatMap((c) => c.type === "element" ? [Number(c.attributes.id)] : []),
  );
  for (const id of ids.filter((i) => !listed.has(i))) {
    el.children.push({
      type: "element",
      name: "iothread",
      attributes: { id: String(id) },
      children: [],
    });
  }
  def.iothreads = ids.length || undefined;
}
