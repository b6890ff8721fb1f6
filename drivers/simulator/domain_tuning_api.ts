/**
 * Tuning calls of libvirt's test driver that need no XML of their own: the fixed `fair`
 * scheduler with weight 50, lifecycle actions, and the empty launch security info.
 *
 * @module
 */
import type { DomainRef, DriverConnection, TypedParams } from "../../util/driver.ts";
import { checkLifecycleAction, setLifecycleAction } from "../../conf/domain/lifecycle.ts";
import { VIR } from "../../util/constants.ts";
import { checkFlags } from "../../util/errors.ts";
import { domainFromRef } from "./domain_access.ts";
import { getDefs } from "../../conf/objects/domain_obj.ts";
import type { TestDriverState } from "./driver_state.ts";
import { methodTable } from "../../util/method_table.ts";
import { validateTypedParams } from "../../util/typed_params.ts";

export { type TypedParamType, validateTypedParams } from "../../util/typed_params.ts";

const F = "TEST";

/**
 * {@link validateTypedParams} for parameters that must all be unsigned integers.
 *
 * @example
 * ```ts
 * import { validateUintParams } from "./domain_tuning_api.ts";
 * validateUintParams({ weight: 10 }, ["weight"]);
 * ```
 */
export function validateUintParams(params: TypedParams, names: string[]): void {
  validateTypedParams(params, Object.fromEntries(names.map((n) => [n, "uint" as const])));
}

/**
 * The tuning part of the test driver's hypervisor table.
 *
 * @example
 * ```ts
 * import { domainTuningMethods } from "./domain_tuning_api.ts";
 * import { TestDriverState } from "./driver_state.ts";
 * const methods = domainTuningMethods(new TestDriverState());
 * ```
 */
export function domainTuningMethods(state: TestDriverState): Partial<DriverConnection> {
  const get = (ref: DomainRef) => domainFromRef(state, ref);
  return methodTable({
    domainGetSchedulerType: () => ["fair", 1],
    domainGetSchedulerParametersFlags: (ref, flags) => {
      checkFlags(flags, 0, "testDomainGetSchedulerParametersFlags", F);
      get(ref);
      return { weight: 50 };
    },
    // libvirt validates and then ignores the weight: reads keep answering 50.
    domainSetSchedulerParametersFlags: (ref, params, flags) => {
      checkFlags(flags, 0, "testDomainSetSchedulerParametersFlags", F);
      validateUintParams(params, ["weight"]);
      get(ref);
    },
    domainGetLaunchSecurityInfo: (ref, flags) => {
      checkFlags(flags, 0, "testDomainGetLaunchSecurityInfo", F);
      get(ref);
      return {};
    },
    domainSetLifecycleAction: (ref, type, action, flags) => {
      checkFlags(
        flags,
        VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_AFFECT_CONFIG,
        "testDomainSetLifecycleAction",
        F,
      );
      checkLifecycleAction(type, action);
      const { live, config } = getDefs(get(ref), flags);
      for (const def of [live, config]) if (def) setLifecycleAction(def, type, action);
    },
  });
}
