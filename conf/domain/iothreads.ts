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
  return fillUpTo(listed(def).map((c) => Number(c.attributes.id)), def.iothreads ?? 0);
}

/**
 * The ids of `def` that libvirt filled in itself (`autofill`): all of them while
 * `<iothreadids>` is not printed.
 *
 * @example
 * ```ts
 * import { filledIothreadIds } from "./iothreads.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * filledIothreadIds(def); // [1, 2] for <iothreads>2</iothreads>
 * ```
 */
export function filledIothreadIds(def: DomainDef): number[] {
  return section(def) ? def.iothreadsFilled ?? [] : iothreadIdsOf(def);
}

/**
 * Makes `def` what libvirt's copy of a definition (`virDomainDefCopy`, which formats and parses
 * it again, as it does to start a domain or to change its persistent definition) knows of its
 * IOThreads: every listed id is a given one, none filled in.
 *
 * @example
 * ```ts
 * import { reparseIothreadIds } from "./iothreads.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * reparseIothreadIds(def); // ids 1, 2, 5 listed: a removal of 5 leaves 1 and 2 listed
 * ```
 */
export function reparseIothreadIds(def: DomainDef): void {
  delete def.iothreadsFilled;
}

const hasPool = (el: XmlElement) =>
  Object.values(POOL_ATTRS).some((attr) => el.attributes[attr] !== undefined);

/**
 * Sets the IOThread ids, of which `filled` (by default those filled in so far) are still filled
 * in automatically: `<iothreads>` counts them and, as `virDomainDefIothreadShouldFormat`,
 * `<iothreadids>` lists them all once one is not filled in or has a thread pool.
 *
 * @example
 * ```ts
 * import { writeIothreadIds } from "./iothreads.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * writeIothreadIds(def, [1, 5]); // <iothreads>2</iothreads><iothreadids>…</iothreadids>
 * ```
 */
export function writeIothreadIds(
  def: DomainDef,
  ids: number[],
  filled: number[] = filledIothreadIds(def),
): void {
  // An IOThread that stays keeps its own attributes (its thread pool).
  const kept = new Map(listed(def).map((el) => [Number(el.attributes.id), el]));
  const auto = ids.filter((id) => filled.includes(id));
  def.sections = def.sections.filter((s) => s.name !== SECTION);
  def.iothreads = ids.length || undefined;
  delete def.iothreadsFilled;
  const els = ids.map((id) =>
    kept.get(id) ?? {
      type: "element" as const,
      name: "iothread",
      attributes: { id: String(id) },
      children: [],
    }
  );
  // Ids all filled in are the lowest free ones, 1 … n, which the count alone gives back.
  if (auto.length === ids.length && !els.some(hasPool)) return;
  if (auto.length) def.iothreadsFilled = auto;
  def.sections.push({ type: "element", name: SECTION, attributes: {}, children: els });
}

/** An IOThread's worker pool bounds; -1 leaves QEMU's default (libvirt's unset value). */
export interface IothreadPool {
  min: number;
  max: number;
}

const POOL_ATTRS = { min: "thread_pool_min", max: "thread_pool_max" } as const;

/**
 * The `thread_pool_min` / `thread_pool_max` of IOThread `id`, -1 where unset.
 *
 * @example
 * ```ts
 * import { iothreadPoolOf } from "./iothreads.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * iothreadPoolOf(def, 1); // { min: -1, max: -1 } for <iothread id='1'/>
 * ```
 */
export function iothreadPoolOf(def: DomainDef, id: number): IothreadPool {
  const el = listed(def).find((e) => Number(e.attributes.id) === id);
  const value = (attr: string) =>
    el?.attributes[attr] === undefined ? -1 : Number(el.attributes[attr]);
  return { min: value(POOL_ATTRS.min), max: value(POOL_ATTRS.max) };
}

/**
 * Sets the pool bounds `pool` gives for IOThread `id` (one of the definition's), -1 removing
 * the attribute as libvirt formats only a set bound. The IOThreads get listed, as libvirt
 * prints `<iothreadids>` once one of them has a pool.
 *
 * @example
 * ```ts
 * import { setIothreadPool } from "./iothreads.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * setIothreadPool(def, 1, { max: 4 }); // <iothread id='1' thread_pool_max='4'/>
 * ```
 */
export function setIothreadPool(def: DomainDef, id: number, pool: Partial<IothreadPool>): void {
  const ids = iothreadIdsOf(def);
  const filled = filledIothreadIds(def);
  // Listed as if none were filled in so that its element exists; the last write folds the
  // list away again when nothing keeps it.
  writeIothreadIds(def, ids, []);
  const el = listed(def).find((e) => Number(e.attributes.id) === id)!;
  for (const key of ["min", "max"] as const) {
    const value = pool[key];
    if (value === undefined) continue;
    if (value < 0) delete el.attributes[POOL_ATTRS[key]];
    else el.attributes[POOL_ATTRS[key]] = String(value);
  }
  writeIothreadIds(def, ids, filled);
}

/**
 * The IOThread a disk's or controller's `<driver iothread>` names, 0 for none.
 *
 * @example
 * ```ts
 * import { iothreadOf } from "./iothreads.ts";
 * import { element } from "../../util/xml/mod.ts";
 * iothreadOf(element("disk", {}, [element("driver", { iothread: "2" })])); // 2
 * ```
 */
export function iothreadOf(dev: XmlElement): number {
  return Number(child(dev, "driver")?.attributes.iothread ?? 0);
}

function listed(def: DomainDef): XmlElement[] {
  return (section(def)?.children ?? []).filter((c): c is XmlElement =>
    c.type === "element" && c.name === "iothread"
  );
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
  const filled = ids.filter((i) => !listed.has(i));
  for (const id of filled) {
    el.children.push({
      type: "element",
      name: "iothread",
      attributes: { id: String(id) },
      children: [],
    });
  }
  def.iothreads = ids.length || undefined;
  if (filled.length) def.iothreadsFilled = filled;
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
  /** Where `id` comes in libvirt's iothreadids list: the listed ones, then those filled in. */
  rank(id: number): number;
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
    rank: (id) => listed.has(id) ? ids.indexOf(id) : ids.length + id,
  };
}
