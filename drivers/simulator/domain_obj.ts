/**
 * A domain as the test driver keeps it (libvirt's `virDomainObj` plus the test driver's private
 * data) and the `virDomainObj*` helpers of src/conf/domain_conf.c that decide which definition
 * (live or persistent) a call reads or changes.
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import type { CheckpointDef } from "../../conf/checkpoint/def.ts";
import type { SnapshotDef } from "../../conf/snapshot/def.ts";
import type { DomainRef } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import type { TestDriverState } from "./driver_state.ts";
import { MomentList } from "./moment_list.ts";

/** One domain: its definitions, run state and the test driver's per-domain private data. */
export interface DomainObj {
  /** The live definition while active, else the persistent one. */
  def: DomainDef;
  /** The persistent definition while a persistent domain is active (libvirt's `newDef`). */
  newDef?: DomainDef;
  state: number;
  reason: number;
  persistent: boolean;
  autostart: boolean;
  hasManagedSave: boolean;
  /** Guest clock for get/setTime; also drives getControlInfo's fake job states. */
  seconds: number;
  nseconds: number;
  /** Freeze state of the two fake file systems `/` and `/boot`. */
  frozen: [boolean, boolean];
  /** Snapshot metadata (`vm->snapshots`). */
  snapshots: MomentList<SnapshotDef>;
  /** Checkpoint metadata (`vm->checkpoints`). */
  checkpoints: MomentList<CheckpointDef>;
}

/**
 * A fresh shut-off domain object for a definition, as `virDomainObjNew` + assignment.
 *
 * @example
 * ```ts
 * import { newDomainObj } from "./domain_obj.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * const obj = newDomainObj(def);
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
    seconds: 627319920,
    nseconds: 0,
    frozen: [false, false],
    snapshots: new MomentList(),
    checkpoints: new MomentList(),
  };
}

/**
 * libvirt's `virDomainObjIsActive`: a domain is active while its live id is set.
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
 * The handle callers get back (`virGetDomain`).
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
 * `virDomainObjCheckActive`.
 *
 * @example
 * ```ts
 * import { checkActive } from "./domain_obj.ts";
 * declare const obj: import("./domain_obj.ts").DomainObj;
 * checkActive(obj); // throws 55/20 "domain is not running" when shut off
 * ```
 */
export function checkActive(obj: DomainObj): void {
  if (!isActive(obj)) throw VirError.report("DOMAIN", "OPERATION_INVALID", "domain is not running");
}

/**
 * `virDomainObjUpdateModificationImpact`: resolves AFFECT_CURRENT and refuses LIVE on an
 * inactive domain or CONFIG on a transient one. Returns the resolved flags.
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
  if (!isActive(obj) && (flags & VIR.DOMAIN_AFFECT_LIVE)) checkActive(obj);
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
 * `virDomainObjGetPersistentDef`: the definition that survives a shutdown.
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
 * `virDomainObjGetDefs`: the live and/or persistent definitions the flags select.
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
 * `testDomainStartState`: running with the state's next id (filed under it for lookups); a
 * persistent domain keeps its configuration aside (`virDomainObjSetDefTransient`) so live
 * changes do not leak into it.
 *
 * @example
 * ```ts
 * import { startState } from "./domain_obj.ts";
 * declare const state: import("./driver_state.ts").TestDriverState;
 * declare const obj: import("./domain_obj.ts").DomainObj;
 * startState(state, obj, 1);
 * ```
 */
export function startState(state: TestDriverState, obj: DomainObj, reason: number): void {
  obj.state = VIR.DOMAIN_RUNNING;
  obj.reason = reason;
  if (obj.persistent && !obj.newDef) obj.newDef = structuredClone(obj.def);
  obj.def.id = state.allocateId();
  obj.hasManagedSave = false;
  state.domains.reindex(obj);
}

/**
 * `testDomainShutdownState`: back to the persistent definition (`virDomainObjRemoveTransientDef`)
 * and shut off with the given reason; the id is no longer a lookup key.
 *
 * @example
 * ```ts
 * import { shutdownState } from "./domain_obj.ts";
 * declare const state: import("./driver_state.ts").TestDriverState;
 * declare const obj: import("./domain_obj.ts").DomainObj;
 * shutdownState(state, obj, 3);
 * ```
 */
export function shutdownState(state: TestDriverState, obj: DomainObj, reason: number): void {
  if (obj.newDef) {
    obj.def = obj.newDef;
    obj.newDef = undefined;
  }
  obj.def.id = -1;
  obj.state = VIR.DOMAIN_SHUTOFF;
  obj.reason = reason;
  state.domains.reindex(obj);
}
