/**
 * libvirt's `virDomainObjList` (src/conf/virdomainobjlist.c): a driver's domains by UUID,
 * name and, while active, id, with the duplicate rules of `virDomainObjListAdd`, rename and the
 * filters of `virDomainObjListExport`.
 *
 * @module
 */
import type { DomainDef } from "../domain/def.ts";
import type { DomainRef } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import type { ErrorDomainName } from "../../util/errors.ts";
import { parseUUID } from "../../util/uuid.ts";
import { assignDef, type DomainObj, isActive } from "./domain_obj.ts";
import { KeyedTable } from "./keyed_table.ts";
import { pairFilter } from "./list_filter.ts";
import { sameUUID } from "./uuid_obj_list.ts";
import { orNotFound } from "./not_found.ts";

const E = VIR;

/** `VIR_CONNECT_LIST_DOMAINS_FILTERS_ALL`: every filter `connectListAllDomains` accepts. */
export const DOMAIN_LIST_FILTERS_ALL = E.CONNECT_LIST_DOMAINS_ACTIVE |
  E.CONNECT_LIST_DOMAINS_INACTIVE | E.CONNECT_LIST_DOMAINS_PERSISTENT |
  E.CONNECT_LIST_DOMAINS_TRANSIENT | E.CONNECT_LIST_DOMAINS_RUNNING |
  E.CONNECT_LIST_DOMAINS_PAUSED | E.CONNECT_LIST_DOMAINS_SHUTOFF | E.CONNECT_LIST_DOMAINS_OTHER |
  E.CONNECT_LIST_DOMAINS_MANAGEDSAVE | E.CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE |
  E.CONNECT_LIST_DOMAINS_AUTOSTART | E.CONNECT_LIST_DOMAINS_NO_AUTOSTART |
  E.CONNECT_LIST_DOMAINS_HAS_SNAPSHOT | E.CONNECT_LIST_DOMAINS_NO_SNAPSHOT |
  E.CONNECT_LIST_DOMAINS_HAS_CHECKPOINT | E.CONNECT_LIST_DOMAINS_NO_CHECKPOINT;

const STATE_FILTERS = E.CONNECT_LIST_DOMAINS_RUNNING | E.CONNECT_LIST_DOMAINS_PAUSED |
  E.CONNECT_LIST_DOMAINS_SHUTOFF | E.CONNECT_LIST_DOMAINS_OTHER;

/** The state filter of `virDomainObjMatchFilter`: any of the requested states matches. */
function stateFilter(flags: number, s: number): boolean {
  if (!(flags & STATE_FILTERS)) return true;
  const other = s !== E.DOMAIN_RUNNING && s !== E.DOMAIN_PAUSED && s !== E.DOMAIN_SHUTOFF;
  return Boolean(
    (flags & E.CONNECT_LIST_DOMAINS_RUNNING && s === E.DOMAIN_RUNNING) ||
      (flags & E.CONNECT_LIST_DOMAINS_PAUSED && s === E.DOMAIN_PAUSED) ||
      (flags & E.CONNECT_LIST_DOMAINS_SHUTOFF && s === E.DOMAIN_SHUTOFF) ||
      (flags & E.CONNECT_LIST_DOMAINS_OTHER && other),
  );
}

/** `virDomainObjMatchFilter`. */
function matchFilter(obj: DomainObj, flags: number): boolean {
  const pair = (yes: number, no: number, value: boolean) => pairFilter(flags, yes, no, value);
  return pair(E.CONNECT_LIST_DOMAINS_ACTIVE, E.CONNECT_LIST_DOMAINS_INACTIVE, isActive(obj)) &&
    pair(E.CONNECT_LIST_DOMAINS_PERSISTENT, E.CONNECT_LIST_DOMAINS_TRANSIENT, obj.persistent) &&
    stateFilter(flags, obj.state) &&
    pair(
      E.CONNECT_LIST_DOMAINS_MANAGEDSAVE,
      E.CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE,
      obj.hasManagedSave,
    ) &&
    pair(E.CONNECT_LIST_DOMAINS_AUTOSTART, E.CONNECT_LIST_DOMAINS_NO_AUTOSTART, obj.autostart) &&
    pair(
      E.CONNECT_LIST_DOMAINS_HAS_SNAPSHOT,
      E.CONNECT_LIST_DOMAINS_NO_SNAPSHOT,
      obj.snapshots.size > 0,
    ) &&
    pair(
      E.CONNECT_LIST_DOMAINS_HAS_CHECKPOINT,
      E.CONNECT_LIST_DOMAINS_NO_CHECKPOINT,
      obj.checkpoints.size > 0,
    );
}

/** How {@link DomainObjList.add} treats the definition (`VIR_DOMAIN_OBJ_LIST_ADD_*`). */
export interface DomainAddFlags {
  /** The definition is a live one (create, restore), not a configuration (define). */
  live: boolean;
  /** Refuse a domain that is active or being started. */
  checkLive: boolean;
}

/**
 * A driver's domains, in the order they were added. `O` is the driver's object type, made by
 * the factory the list is given (libvirt's `virDomainObjNew` with the driver's private data).
 *
 * @example
 * ```ts
 * import { DomainObjList } from "./domain_obj_list.ts";
 * import { newDomainObj } from "./domain_obj.ts";
 * declare const def: import("../domain/def.ts").DomainDef;
 * const list = new DomainObjList(newDomainObj);
 * const { obj } = list.add(def, { live: false, checkLive: false });
 * list.findByName(def.name) === obj; // true
 * ```
 */
export class DomainObjList<O extends DomainObj> {
  readonly #table = new KeyedTable({
    uuid: (d: O) => d.def.uuid,
    name: (d: O) => d.def.name,
    id: (d: O) => isActive(d) ? d.def.id : undefined,
  });
  readonly #create: (def: DomainDef) => O;

  constructor(create: (def: DomainDef) => O) {
    this.#create = create;
  }

  /** How many domains the list holds. */
  get size(): number {
    return this.#table.size;
  }

  /** The domains in the order they were added. */
  [Symbol.iterator](): IterableIterator<O> {
    return this.#table[Symbol.iterator]();
  }

  /** The domains that pass `keep`, in order. */
  filter(keep: (obj: O) => boolean): O[] {
    return this.#table.filter(keep);
  }

  /** `virDomainObjListFindByUUID`, the UUID in any spelling libvirt accepts. */
  findByUUID(uuid: string): O | undefined {
    return this.#table.get("uuid", parseUUID(uuid));
  }

  /** `virDomainObjListFindByName`. */
  findByName(name: string): O | undefined {
    return this.#table.get("name", name);
  }

  /** `virDomainObjListFindByID`: only active domains have an id. */
  findByID(id: number): O | undefined {
    return this.#table.get("id", id);
  }

  /**
   * The object behind a domain handle, by UUID (the drivers' `*DomObjFromDomain`), or
   * VIR_ERR_NO_DOMAIN from `from` naming the handle.
   */
  fromRef(ref: DomainRef, from: ErrorDomainName): O {
    return orNotFound(
      this.findByUUID(ref.uuid),
      from,
      "NO_DOMAIN",
      `no domain with matching uuid '${ref.uuid.toLowerCase()}' (${ref.name})`,
    );
  }

  /**
   * `virDomainObjListAdd`: the existing domain with this UUID (which must have this name) takes
   * the definition (`virDomainObjAssignDef`), else a new domain is made, unless another one has
   * the name. Returns the object and the configuration the definition replaced.
   */
  add(def: DomainDef, flags: DomainAddFlags): { obj: O; oldDef?: DomainDef } {
    const same = sameUUID(
      this.#table.get("uuid", def.uuid),
      () => this.findByName(def.name),
      def,
      "domain",
      "DOMAIN",
    );
    if (same) {
      if (flags.checkLive && isActive(same)) {
        throw VirError.report(
          "DOMAIN",
          "OPERATION_INVALID",
          `domain '${same.def.name}' is already active`,
        );
      }
      if (flags.checkLive && !same.persistent) {
        throw VirError.report(
          "DOMAIN",
          "OPERATION_INVALID",
          `domain '${same.def.name}' is already being started`,
        );
      }
      const oldDef = assignDef(same, def, flags.live);
      this.#table.reindex(same);
      return { obj: same, oldDef };
    }
    return { obj: this.#table.add(this.#create(def)) };
  }

  /** `virDomainObjListRemove`. */
  remove(obj: O): void {
    this.#table.delete(obj);
  }

  /**
   * Gives the domain its live id, or takes it out of the id index with -1 (the domain is found
   * by id only while it runs).
   */
  setId(obj: O, id: number): void {
    obj.def.id = id;
    this.#table.reindex(obj);
  }

  /**
   * `virDomainObjListRename`: refuses the domain's own name and a name another domain has,
   * then lets `rename` (the driver's callback) change the definition and files the domain
   * under its new name.
   */
  rename(obj: O, newName: string, rename: () => void): void {
    if (obj.def.name === newName) {
      throw VirError.report("DOMAIN", "OPERATION_INVALID", "Can't rename domain to itself");
    }
    if (this.findByName(newName)) {
      throw VirError.report(
        "DOMAIN",
        "OPERATION_INVALID",
        `domain with name '${newName}' already exists`,
      );
    }
    rename();
    this.#table.reindex(obj);
  }

  /** `virDomainObjListExport`: the domains matching the `VIR_CONNECT_LIST_DOMAINS_*` filters. */
  export(flags: number): O[] {
    // Without a filter bit every domain matches: no per-domain test (a 10,000-domain list).
    if (!(flags & DOMAIN_LIST_FILTERS_ALL)) return [...this.#table];
    return this.#table.filter((obj) => matchFilter(obj, flags));
  }

  /** `virDomainObjListGetActiveIDs`. */
  activeIDs(): number[] {
    return this.#table.filter(isActive).map((obj) => obj.def.id);
  }

  /** `virDomainObjListGetInactiveNames`. */
  inactiveNames(): string[] {
    return this.#table.filter((obj) => !isActive(obj)).map((obj) => obj.def.name);
  }
}
