/**
 * libvirt's `virDomainMomentObjList` (virdomainmomentobjlist.c), the tree behind a domain's
 * snapshots and checkpoints: objects by name, a metaroot whose children are the roots, each
 * object's children newest first, and the current moment.
 *
 * libvirt walks its hash table for a plain list of all moments, and that table is seeded at
 * random per process, so that order is unspecified; this list uses insertion order there. Walks
 * of children and descendants follow the child lists and match libvirt exactly.
 *
 * @module
 */
import { VirError } from "../../util/errors.ts";

/** What a moment definition needs for the tree. */
export interface MomentLike {
  name: string;
  parent?: string;
}

/** One moment (`virDomainMomentObj`); the metaroot has no `def`. */
export interface MomentObj<D extends MomentLike> {
  def?: D;
  parent?: MomentObj<D>;
  /** Children, most recently linked first (libvirt's first_child/sibling chain). */
  children: MomentObj<D>[];
}

/** An existing moment. */
export type Moment<D extends MomentLike> = MomentObj<D> & { def: D };

/** `virDomainMomentObjListGetNames` flags (VIR_DOMAIN_MOMENT_LIST_*). */
export const MOMENT_LIST = {
  ROOTS: 1,
  DESCENDANTS: 1,
  TOPOLOGICAL: 2,
  LEAVES: 4,
  NO_LEAVES: 8,
  METADATA: 16,
  NO_METADATA: 32,
} as const;

/**
 * A domain's snapshots or checkpoints.
 *
 * @example
 * ```ts
 * import { MomentList } from "./moment_list.ts";
 * const list = new MomentList<{ name: string; parent?: string }>();
 * const a = list.assign({ name: "a" });
 * list.linkParent(a);
 * list.names(undefined, 0, () => true); // ["a"]
 * ```
 */
export class MomentList<D extends MomentLike> {
  readonly #objs = new Map<string, Moment<D>>();
  readonly metaroot: MomentObj<D> = { children: [] };
  current?: Moment<D>;

  /** How many moments there are. */
  get size(): number {
    return this.#objs.size;
  }

  /** virDomainMomentFindByName. */
  find(name: string | undefined): Moment<D> | undefined {
    return name === undefined ? undefined : this.#objs.get(name);
  }

  /** virDomainMomentAssignDef: a new, unlinked moment; a taken name is 9/20. */
  assign(def: D): Moment<D> {
    if (this.#objs.has(def.name)) {
      throw VirError.report(
        "DOMAIN",
        "OPERATION_FAILED",
        `domain moment ${def.name} already exists`,
      );
    }
    const obj: Moment<D> = { def, children: [] };
    this.#objs.set(def.name, obj);
    return obj;
  }

  /** virDomainMomentObjListRemove: true when it was the current one. */
  remove(obj: Moment<D>): boolean {
    const was = this.current === obj;
    this.#objs.delete(obj.def.name);
    if (was) this.current = undefined;
    return was;
  }

  /** virDomainMomentObjListRemoveAll. */
  clear(): void {
    this.#objs.clear();
    this.metaroot.children = [];
    this.current = undefined;
  }

  /** virDomainMomentLinkParent: under the named parent, or a root. */
  linkParent(obj: Moment<D>): void {
    const parent = this.find(obj.def.parent) ?? this.metaroot;
    obj.parent = parent;
    parent.children.unshift(obj);
  }

  /** virDomainMomentDropParent. */
  dropParent(obj: MomentObj<D>): void {
    const siblings = obj.parent?.children;
    if (siblings) siblings.splice(siblings.indexOf(obj), 1);
    obj.parent = undefined;
  }

  /** virDomainMomentMoveChildren: `from`'s children go in front of `to`'s. */
  moveChildren(from: MomentObj<D>, to: MomentObj<D>): void {
    for (const c of from.children) c.parent = to;
    to.children = [...from.children, ...to.children];
    from.children = [];
  }

  /** virDomainMomentForEachDescendant: depth first, each before its children. */
  descendants(obj: MomentObj<D>): Moment<D>[] {
    const out: Moment<D>[] = [];
    for (const c of obj.children as Moment<D>[]) out.push(c, ...this.descendants(c));
    return out;
  }

  /**
   * virDomainMomentCheckCycles: the parent of a redefinition must exist and must not make the
   * moment its own ancestor.
   */
  checkCycles(def: D): void {
    if (def.parent === undefined) return;
    if (def.parent === def.name) {
      throw VirError.report(
        "DOMAIN",
        "INVALID_ARG",
        `cannot set moment ${def.name} as its own parent`,
      );
    }
    let other = this.find(def.parent);
    if (!other) {
      throw VirError.report(
        "DOMAIN",
        "INVALID_ARG",
        `parent ${def.parent} for moment ${def.name} not found`,
      );
    }
    while (other?.def.parent !== undefined) {
      if (other.def.parent === def.name) {
        throw VirError.report(
          "DOMAIN",
          "INVALID_ARG",
          `parent ${other.def.name} would create cycle to ${def.name}`,
        );
      }
      other = this.find(other.def.parent);
    }
  }

  /**
   * virDomainMomentObjListGetNames: names under `from` (the metaroot when undefined) with
   * moment flags, each passing `keep`.
   */
  names(from: Moment<D> | undefined, flags: number, keep: (def: D) => boolean): string[] {
    const start: MomentObj<D> = from ?? this.metaroot;
    // ROOTS and DESCENDANTS share a bit with opposite meanings; the metaroot flips it.
    if (!from) flags ^= MOMENT_LIST.ROOTS;
    if (
      (flags & (MOMENT_LIST.METADATA | MOMENT_LIST.NO_METADATA)) === MOMENT_LIST.NO_METADATA
    ) return [];
    let objs: Moment<D>[];
    if (flags & MOMENT_LIST.DESCENDANTS) {
      objs = start.def || (flags & MOMENT_LIST.TOPOLOGICAL)
        ? this.descendants(start)
        : [...this.#objs.values()];
    } else objs = start.children as Moment<D>[];
    return objs.filter((o) =>
      !((flags & MOMENT_LIST.LEAVES) && o.children.length) &&
      !((flags & MOMENT_LIST.NO_LEAVES) && !o.children.length) && keep(o.def)
    ).map((o) => o.def.name);
  }
}
