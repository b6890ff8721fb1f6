/**
 * `virDomainSetLifecycleAction`'s part in domain_conf.c: which action a lifecycle event may
 * take (`virDomainDefLifecycleActionAllowed`) and the definition field it lands in.
 *
 * @module
 */
import type { DomainDef } from "./def.ts";
import { LIFECYCLE_ACTIONS } from "./names.ts";
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";

/** virDomainLifecycle names, in the API's type order. */
const LIFECYCLE_TYPES = ["poweroff", "reboot", "crash"] as const;
const DEF_FIELD = { poweroff: "onPoweroff", reboot: "onReboot", crash: "onCrash" } as const;

/**
 * `virDomainDefLifecycleActionAllowed`: only a crash may dump core; libvirt's error otherwise.
 *
 * @example
 * ```ts
 * import { checkLifecycleAction } from "./lifecycle.ts";
 * checkLifecycleAction(1, 0); // reboot may destroy
 * ```
 */
export function checkLifecycleAction(type: number, action: number): void {
  const event = LIFECYCLE_TYPES[type];
  if (event !== "crash" && action >= VIR.DOMAIN_LIFECYCLE_ACTION_COREDUMP_DESTROY) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      `Lifecycle event '${event}' doesn't support '${LIFECYCLE_ACTIONS[action]}' action`,
    );
  }
}

/**
 * Sets event `type`'s action in `def` (after {@link checkLifecycleAction} accepted it).
 *
 * @example
 * ```ts
 * import { setLifecycleAction } from "./lifecycle.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * setLifecycleAction(def, 0, 1); // <on_poweroff>restart</on_poweroff>
 * ```
 */
export function setLifecycleAction(def: DomainDef, type: number, action: number): void {
  def[DEF_FIELD[LIFECYCLE_TYPES[type]]] = LIFECYCLE_ACTIONS[action];
}
