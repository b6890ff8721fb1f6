/**
 * Finding domains of a test driver state and announcing their lifecycle changes, shared by
 * every domain call: `testDomObjFromDomain`, libvirt's `virDomainObjListAdd` duplicate rules
 * and `virDomainEventLifecycleNewFromObj`.
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import type { DomainRef } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import { isActive, newDomainObj, refOf } from "./domain_obj.ts";
import type { DomainObj } from "./domain_obj.ts";
import type { TestDriverState } from "./driver_state.ts";
import { orNotFound } from "./object_lookup.ts";
import { parseUUID } from "../../util/uuid.ts";

/**
 * The object behind a domain handle, by UUID (`testDomObjFromDomain`).
 *
 * @example
 * ```ts
 * import { domainFromRef } from "./domain_access.ts";
 * declare const state: import("./driver_state.ts").TestDriverState;
 * const obj = domainFromRef(state, { name: "test", uuid: "6695eb01-f6a4-8304-79aa-97f2502e193f", id: 1 });
 * ```
 */
export function domainFromRef(state: TestDriverState, ref: DomainRef): DomainObj {
  return orNotFound(
    state.domains.get("uuid", parseUUID(ref.uuid)),
    "NO_DOMAIN",
    `no domain with matching uuid '${ref.uuid.toLowerCase()}' (${ref.name})`,
  );
}

/**
 * Queues a lifecycle event for a domain as it is now.
 *
 * @example
 * ```ts
 * import { emitLifecycle } from "./domain_access.ts";
 * import { VIR } from "../../util/constants.ts";
 * declare const state: import("./driver_state.ts").TestDriverState;
 * declare const obj: import("./domain_obj.ts").DomainObj;
 * emitLifecycle(state, obj, VIR.DOMAIN_EVENT_STARTED, VIR.DOMAIN_EVENT_STARTED_BOOTED);
 * ```
 */
export function emitLifecycle(
  state: TestDriverState,
  obj: DomainObj,
  event: number,
  detail: number,
): void {
  state.emit({
    family: "domain",
    eventId: VIR.DOMAIN_EVENT_ID_LIFECYCLE,
    ref: refOf(obj),
    data: { event, detail },
  });
}

/**
 * Drops a domain from the state (`virDomainObjListRemove`).
 *
 * @example
 * ```ts
 * import { removeDomain } from "./domain_access.ts";
 * declare const state: import("./driver_state.ts").TestDriverState;
 * declare const obj: import("./domain_obj.ts").DomainObj;
 * removeDomain(state, obj);
 * ```
 */
export function removeDomain(state: TestDriverState, obj: DomainObj): void {
  state.domains.delete(obj);
}

/**
 * `virDomainObjListAdd`: a new object, or the existing one with the same UUID and name taking
 * the new definition (as live definition when `live`, refusing an active one with
 * `checkLive`). `oldDef` tells a define that it replaced a configuration.
 *
 * @example
 * ```ts
 * import { addDomain } from "./domain_access.ts";
 * declare const state: import("./driver_state.ts").TestDriverState;
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * const { obj, replaced } = addDomain(state, def, { live: false, checkLive: false });
 * ```
 */
export function addDomain(
  state: TestDriverState,
  def: DomainDef,
  opts: { live: boolean; checkLive: boolean },
): { obj: DomainObj; replaced: boolean } {
  const same = state.domains.get("uuid", def.uuid);
  if (same) {
    if (same.def.name !== def.name) {
      throw VirError.report(
        "DOMAIN",
        "OPERATION_FAILED",
        `domain '${same.def.name}' is already defined with uuid ${same.def.uuid}`,
      );
    }
    if (opts.checkLive) {
      if (isActive(same)) {
        throw VirError.report(
          "DOMAIN",
          "OPERATION_INVALID",
          `domain '${same.def.name}' is already active`,
        );
      }
      if (!same.persistent) {
        throw VirError.report(
          "DOMAIN",
          "OPERATION_INVALID",
          `domain '${same.def.name}' is already being started`,
        );
      }
    }
    let replaced = false;
    if (isActive(same)) {
      replaced = same.newDef !== undefined;
      same.newDef = def;
    } else if (opts.live) {
      same.newDef ??= same.def;
      same.def = def;
    } else {
      replaced = true;
      same.def = def;
    }
    state.domains.reindex(same);
    return { obj: same, replaced };
  }
  const byName = state.domains.get("name", def.name);
  if (byName) {
    throw VirError.report(
      "DOMAIN",
      "OPERATION_FAILED",
      `domain '${def.name}' already exists with uuid ${byName.def.uuid}`,
    );
  }
  const obj = newDomainObj(def);
  state.domains.add(obj);
  return { obj, replaced: false };
}
