/**
 * Finding domains of a test driver state, moving them between running and shut off, and
 * announcing their lifecycle changes, shared by every domain call: `testDomObjFromDomain`,
 * `testDomainStartState`, `testDomainShutdownState` and `virDomainEventLifecycleNewFromObj`.
 *
 * @module
 */
import type { DomainRef } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { refOf, removeTransientDef, setDefTransient } from "../../conf/objects/domain_obj.ts";
import type { TestDomainObj, TestDriverState } from "./driver_state.ts";

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
export function domainFromRef(state: TestDriverState, ref: DomainRef): TestDomainObj {
  return state.domains.fromRef(ref, "TEST");
}

/**
 * Queues a lifecycle event for a domain as it is now.
 *
 * @example
 * ```ts
 * import { emitLifecycle } from "./domain_access.ts";
 * import { VIR } from "../../util/constants.ts";
 * declare const state: import("./driver_state.ts").TestDriverState;
 * declare const obj: import("./driver_state.ts").TestDomainObj;
 * emitLifecycle(state, obj, VIR.DOMAIN_EVENT_STARTED, VIR.DOMAIN_EVENT_STARTED_BOOTED);
 * ```
 */
export function emitLifecycle(
  state: TestDriverState,
  obj: TestDomainObj,
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
 * `testDomainStartState`: running with the state's next id; a persistent domain keeps its
 * configuration aside so live changes do not leak into it.
 *
 * @example
 * ```ts
 * import { startState } from "./domain_access.ts";
 * declare const state: import("./driver_state.ts").TestDriverState;
 * declare const obj: import("./driver_state.ts").TestDomainObj;
 * startState(state, obj, 1);
 * ```
 */
export function startState(state: TestDriverState, obj: TestDomainObj, reason: number): void {
  obj.state = VIR.DOMAIN_RUNNING;
  obj.reason = reason;
  setDefTransient(obj);
  state.domains.setId(obj, state.allocateId());
  obj.hasManagedSave = false;
}

/**
 * `testDomainShutdownState`: back to the persistent definition and shut off with the given
 * reason.
 *
 * @example
 * ```ts
 * import { shutdownState } from "./domain_access.ts";
 * declare const state: import("./driver_state.ts").TestDriverState;
 * declare const obj: import("./driver_state.ts").TestDomainObj;
 * shutdownState(state, obj, 3);
 * ```
 */
export function shutdownState(state: TestDriverState, obj: TestDomainObj, reason: number): void {
  removeTransientDef(obj);
  state.domains.setId(obj, -1);
  obj.state = VIR.DOMAIN_SHUTOFF;
  obj.reason = reason;
}
