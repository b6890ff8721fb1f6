/**
 * libvirt's `virDomainObj` (src/conf/domain_conf.c) as every driver keeps it: the live and
 * persistent definitions, the run state, the flags, the snapshot and checkpoint trees, and the
 * `virDomainObj*` helpers that decide which definition a call reads or changes. A driver adds
 * its own fields beside these (libvirt's `privateData`) by extending {@link DomainObj}.
 *
 * @module
 */
import type { DomainDef } from "../domain/def.ts";
import type { CheckpointDef } from "../checkpoint/def.ts";
import type { SnapshotDef } from "../snapshot/def.ts";
import type { DomainRef } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import { MomentList } from "./moment_list.ts";

/** One domain: its definitions and run state. */
export interface DomainObj {
  /** The live definition while active (its `id` is the domain id), else the persistent one. */
  def: DomainDef;
  /** The persistent definition while a persistent domain is active. */
  newDef?: DomainDef;
  state: number;
  reason: number;
  /** Has a configuration that outlives a shutdown (defined, not only created). */
  persistent: boolean;
  autostart: boolean;
  hasManagedSave: boolean;
  /** Snapshot metadata (`vm->snapshots`). */
  snapshots: MomentList<SnapshotDef>;
  /** Checkpoint metadata (`vm->checkpoints`). */
  checkpoints: MomentList<CheckpointDef>;
}

/**
 * A fresh shut-off, transient object for a definition (`virDomainObjNew` + `vm->def = def`).
 *
 * @example
 * ```ts
 * import { newDomainObj } from "./domain_obj.ts";
 * declare const def: import("../domain/def.ts").DomainDef;
 * newDomainObj(def).state; // 5 (VIR_DOMAIN_SHUTOFF)
 * ```
 */
export function newDomainObj(def: DomainDef): DomainObj {
  return {
    def,
    state: VIR.DOMAIN_SHUTOFF,
    reason: VIR.DOMAIN_SHUTOFF_UNKNOWN,
    persistent: false,
    autostart: false,
    hasManagedSave: false,
    snapshots: new MomentList(),
    checkpoints: new MomentList(),
  };
}

/**
 * `virDomainObjIsActive`: a domain is active while its live definition has an id.
 *
 * @example
 * ```ts
 * import { isActive } from "./domain_obj.ts";
 * declare const obj: import("./domain_obj.ts").DomainObj;
 * if (isActive(obj)) console.log(obj.def.id);
 * ```
 */
export function isActive(obj: DomainObj): boolean {
  return obj.def.id !== -1;
}

/**
 * The handle callers get back (`virGetDomain`): name, UUID and id.
 *
 * @example
 * ```ts
 * import { refOf } from "./domain_obj.ts";
 * declare const obj: import("./domain_obj.ts").DomainObj;
 * const ref = refOf(obj); // { name, uuid, id }
 * ```
 */
export function refOf(obj: DomainObj): DomainRef {
  return { name: obj.def.name, uuid: obj.def.uuid, id: obj.def.id };
}

/**
 * `virDomainObjCheckActive`: 55/10 "domain is not running" unless the domain is active.
 *
 * @example
 * ```ts
 * import { checkActive } from "./domain_obj.ts";
 * declare const obj: import("./domain_obj.ts").DomainObj;
 * checkActive(obj);
 * ```
 */
export function checkActive(obj: DomainObj): void {
  if (!isActive(obj)) throw VirError.report("DOMAIN", "OPERATION_INVALID", "domain is not running");
}

/**
 * `virDomainObjUpdateModificationImpact`: AFFECT_CURRENT becomes LIVE for an active domain
 * and CONFIG for an inactive one; LIVE on an inactive domain and CONFIG on a transient one are
 * refused. Returns the resolved flags.
 *
 * @example
 * ```ts
 * import { modificationImpact } from "./domain_obj.ts";
 * declare const obj: import("./domain_obj.ts").DomainObj;
 * const flags = modificationImpact(obj, 0); // LIVE when running, else CONFIG
 * ```
 */
export function modificationImpact(obj: DomainObj, flags: number): number {
  const both = VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_AFFECT_CONFIG;
  if ((flags & both) === VIR.DOMAIN_AFFECT_CURRENT) {
    flags |= isActive(obj) ? VIR.DOMAIN_AFFECT_LIVE : VIR.DOMAIN_AFFECT_CONFIG;
  }
  if (flags & VIR.DOMAIN_AFFECT_LIVE) checkActive(obj);
  if (!obj.persistent && (flags & VIR.DOMAIN_AFFECT_CONFIG)) {
    throw VirError.report(
      "DOMAIN",
      "OPERATION_INVALID",
      "transient domains do not have any persistent config",
    );
  }
  return flags;
}

/**
 * The definition that survives a shutdown (`virDomainObjGetPersistentDef` once the domain
 * keeps its configuration aside while running); a transient domain's live one.
 *
 * @example
 * ```ts
 * import { persistentDef } from "./domain_obj.ts";
 * declare const obj: import("./domain_obj.ts").DomainObj;
 * persistentDef(obj).vcpu.max;
 * ```
 */
export function persistentDef(obj: DomainObj): DomainDef {
  return obj.newDef ?? obj.def;
}

/**
 * `virDomainObjGetDefs`: the live and/or persistent definitions the flags select, and the
 * resolved flags.
 *
 * @example
 * ```ts
 * import { getDefs } from "./domain_obj.ts";
 * declare const obj: import("./domain_obj.ts").DomainObj;
 * const { live, config } = getDefs(obj, 0);
 * ```
 */
export function getDefs(
  obj: DomainObj,
  flags: number,
): { live?: DomainDef; config?: DomainDef; flags: number } {
  const resolved = modificationImpact(obj, flags);
  return {
    live: resolved & VIR.DOMAIN_AFFECT_LIVE ? obj.def : undefined,
    config: resolved & VIR.DOMAIN_AFFECT_CONFIG ? persistentDef(obj) : undefined,
    flags: resolved,
  };
}

/**
 * `virDomainObjGetOneDefState`: exactly one definition (LIVE and CONFIG together are refused),
 * with whether it is the live one.
 *
 * @example
 * ```ts
 * import { getOneDef } from "./domain_obj.ts";
 * declare const obj: import("./domain_obj.ts").DomainObj;
 * const { def, live } = getOneDef(obj, 0);
 * ```
 */
export function getOneDef(obj: DomainObj, flags: number): { def: DomainDef; live: boolean } {
  if ((flags & VIR.DOMAIN_AFFECT_LIVE) && (flags & VIR.DOMAIN_AFFECT_CONFIG)) {
    throw VirError.bare(
      "DOMAIN",
      "INVALID_ARG",
      "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive",
    );
  }
  const resolved = modificationImpact(obj, flags);
  const live = (resolved & VIR.DOMAIN_AFFECT_LIVE) !== 0;
  return { def: live ? obj.def : persistentDef(obj), live };
}

/**
 * `virDomainObjSetDefTransient`: a persistent domain about to run keeps a copy of its
 * configuration aside, so changes to the live definition do not leak into it.
 *
 * @example
 * ```ts
 * import { setDefTransient } from "./domain_obj.ts";
 * declare const obj: import("./domain_obj.ts").DomainObj;
 * setDefTransient(obj); // obj.newDef is the configuration from now on
 * ```
 */
export function setDefTransient(obj: DomainObj): void {
  if (obj.persistent && !obj.newDef) obj.newDef = structuredClone(obj.def);
}

/**
 * `virDomainObjRemoveTransientDef`: on shutdown the configuration kept aside becomes the
 * definition again, without an id.
 *
 * @example
 * ```ts
 * import { removeTransientDef } from "./domain_obj.ts";
 * declare const obj: import("./domain_obj.ts").DomainObj;
 * removeTransientDef(obj);
 * ```
 */
export function removeTransientDef(obj: DomainObj): void {
  if (!obj.newDef) return;
  obj.def = obj.newDef;
  obj.def.id = -1;
  obj.newDef = undefined;
}

/**
 * `virDomainObjAssignDef`: an active domain takes `def` as its next configuration; an inactive
 * one takes it as its definition, its configuration set aside first when `def` is a live one.
 * Returns the definition `def` replaced as configuration (what decides DEFINED_ADDED or
 * DEFINED_UPDATED), if any.
 *
 * @example
 * ```ts
 * import { assignDef } from "./domain_obj.ts";
 * declare const obj: import("./domain_obj.ts").DomainObj;
 * declare const def: import("../domain/def.ts").DomainDef;
 * const oldDef = assignDef(obj, def, false);
 * ```
 */
export function assignDef(obj: DomainObj, def: DomainDef, live: boolean): DomainDef | undefined {
  if (isActive(obj)) {
    const oldDef = obj.newDef;
    obj.newDef = def;
    return oldDef;
  }
  const oldDef = live ? undefined : obj.def;
  if (live) obj.newDef ??= obj.def;
  obj.def = def;
  return oldDef;
}
