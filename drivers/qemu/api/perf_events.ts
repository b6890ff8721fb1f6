/**
 * `qemuDomainGetPerfEvents` / `qemuDomainSetPerfEvents` (`virsh perf`): the `<perf>` marks of
 * the definitions. Counting an event on a running QEMU needs `perf_event_open`, which this
 * driver cannot call: the live side reports no event counting and refuses to start one with
 * the error libvirt gives on a host without perf support.
 *
 * @module
 */
import {
  PERF_EVENTS,
  perfEvents,
  setPerfEvents,
  validatePerfParams,
} from "../../../conf/domain/perf_events.ts";
import { getDefs, getOneDef } from "../../../conf/objects/domain_obj.ts";
import { VIR } from "../../../util/constants.ts";
import type { TypedParams } from "../../../util/contract/types.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";

const AFFECT = VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_AFFECT_CONFIG;

/**
 * The events of the definition `flags` choose; a running domain's live answer is what
 * counts on it: nothing.
 *
 * @example
 * ```ts
 * import { getPerfEvents } from "./perf_events.ts";
 * import type { QemuDomainObj } from "../domain_private.ts";
 * declare const obj: QemuDomainObj;
 * getPerfEvents(obj, 0).cpu_cycles; // false
 * ```
 */
export function getPerfEvents(obj: QemuDomainObj, flags: number): TypedParams {
  checkFlags(flags, AFFECT | VIR.TYPED_PARAM_STRING_OKAY, "qemuDomainGetPerfEvents", "QEMU");
  const { def, live } = getOneDef(obj, flags & AFFECT);
  if ((flags & VIR.DOMAIN_AFFECT_CONFIG) || !live) return perfEvents(def);
  return Object.fromEntries(PERF_EVENTS.map((n) => [n, false]));
}

/**
 * Marks the events in the definitions `flags` choose; enabling one live is refused
 * (`virPerfEventEnable` without perf support), disabling one that does not count is nothing.
 *
 * @example
 * ```ts
 * import { setPerfEventsFlags } from "./perf_events.ts";
 * import type { QemuDomainObj } from "../domain_private.ts";
 * import type { QemuDriverState } from "../driver_state.ts";
 * declare const state: QemuDriverState;
 * declare const obj: QemuDomainObj;
 * await setPerfEventsFlags(state, obj, { cpu_cycles: true }, 2); // --config
 * ```
 */
export async function setPerfEventsFlags(
  state: QemuDriverState,
  obj: QemuDomainObj,
  params: TypedParams,
  flags: number,
): Promise<void> {
  checkFlags(flags, AFFECT, "qemuDomainSetPerfEvents", "QEMU");
  validatePerfParams(params);
  await obj.job.run(async () => {
    const { live, config } = getDefs(obj, flags);
    if (live) {
      if (Object.values(params).some(Boolean)) {
        throw VirError.report(
          "PERF",
          "SYSTEM_ERROR",
          "Perf not supported on this platform: No such device or address",
        );
      }
      setPerfEvents(live, params);
      await state.saveStatus(obj);
    }
    if (config) {
      setPerfEvents(config, params);
      await state.saveConfig(obj);
    }
  });
}
