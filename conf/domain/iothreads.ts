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
import { child, children, type XmlElement } from "../../util/xml/mod.ts";
import { VirError } from "../../util/errors.ts";
import { parseUIntPositive, xmlPropInt, xmlPropUInt, xpathString } from "../common/mod.ts";

const SECTION = "iothreadids";

function section(def: DomainDef): XmlElement | undefined {
  return def.sections.find((s) => s.name === SECTION);
}

/** The IOThread ids: listed ones, then the lowest free ids up to the `<iothreads>` count. */
export function iothreadIdsOf(def: DomainDef): number[] {
  const ids = (section(def)?.children ?? [])
    .filter((c): c is XmlElement => c.type === "element" && c.name === "iothread")
    .map((c) => Number(c.attributes.id));
  return fillUpTo(ids, def.iothreads ?? 0);
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

/** Lowest free ids from 1 join `ids` up to `count` (virDomainIOThreadIDDefArrayInit). */
function fillUpTo(ids: number[], count: number): number[] {
  const out = [...ids];
  const taken = new Set(ids);
  for (let next = 1; out.length < count; next++) if (!taken.has(next)) out.push(next);
  return out;
}

/**
 * A definition's IOThread ids as a lookup: the listed ones and, without listing them (a count
 * may be large), the lowest free ids up to the `<iothreads>` count.
 */
export interface IothreadIds {
  has(id: number): boolean;
}

/**
 * virDomainDefParseIOThreads: the IOThread ids of a `<domain>` element, as the parse of
 * `<cputune>` looks them up, with libvirt's errors for `<iothreads>`, `<defaultiothread>` and
 * `<iothreadids>`.
 *
 * @example
 * ```ts
 * import { parseIothreadIds } from "./iothreads.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseIothreadIds(parse("<domain><iothreads>2</iothreads></domain>")).has(2); // true
 * ```
 */
export function parseIothreadIds(root: XmlElement): IothreadIds {
  const text = xpathString(root, "iothreads");
  const count = text === undefined ? 0 : parseUIntPositive(text);
  if (count === undefined) {
    throw VirError.report("DOMAIN", "XML_ERROR", `invalid iothreads count '${text}'`);
  }
  const pool = (el: XmlElement) => {
    xmlPropInt(el, "thread_pool_min", { nonNegative: true });
    xmlPropInt(el, "thread_pool_max", { nonNegative: true });
  };
  const dflt = child(root, "defaultiothread");
  if (dflt) pool(dflt);
  const ids: number[] = [];
  for (const el of children(root, "iothreadids").flatMap((s) => children(s, "iothread"))) {
    const id = xmlPropUInt(el, "id", undefined, { required: true, nonZero: true })!;
    pool(el);
    if (ids.includes(id)) {
      throw VirError.report("DOMAIN", "XML_ERROR", `duplicate iothread id '${id}' found`);
    }
    ids.push(id);
  }
  const listed = new Set(ids);
  const filled = Math.max(0, count - ids.length);
  return {
    // The k-th free id is the one with k free ids at or below it.
    has: (id) => listed.has(id) || (id >= 1 && id - ids.filter((l) => l <= id).length <= filled),
  };
}
