/**
 * The memory tuning calls of libvirt's QEMU driver (`qemuDomainGetMemoryParameters`,
 * `qemuDomainSetMemoryParameters` with `virDomainCgroupSetMemoryLimitParameters`): the
 * `<memtune>` limits, live through the domain's memory cgroup. Only the privileged (system)
 * driver has them.
 *
 * @module
 */
import {
  MEMTUNE_LIMITS,
  type MemtuneLimit,
  memtuneLimit,
  setMemtuneLimit,
} from "../../../conf/domain/memtune_limits.ts";
import { getDefs } from "../../../conf/objects/domain_obj.ts";
import type { MemoryLimit } from "../../../util/cgroup/mod.ts";
import { VIR } from "../../../util/constants.ts";
import type { TypedParams } from "../../../util/driver.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import { validateTypedParams } from "../../../util/typed_params.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import { cgroupWith, requirePrivileged, tuningGetterDefs } from "./tuning_access.ts";

/** The cgroup file behind each `<memtune>` limit. */
export const CGROUP_LIMIT: Record<MemtuneLimit, MemoryLimit> = {
  hard_limit: "hard",
  soft_limit: "soft",
  swap_hard_limit: "swap",
};

/**
 * `qemuDomainGetMemoryParameters`: the persistent `<memtune>`, or the live cgroup limits (a
 * host without swap accounting has no swap limit).
 *
 * @example
 * ```ts ignore
 * import { getMemoryParameters } from "./memtune.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await getMemoryParameters(state, obj, 0); // { hard_limit: 9007199254740991, … }
 * ```
 */
export async function getMemoryParameters(
  state: QemuDriverState,
  obj: QemuDomainObj,
  flags: number,
): Promise<TypedParams> {
  const { config } = tuningGetterDefs(
    state,
    obj,
    flags,
    "qemuDomainGetMemoryParameters",
    "OPERATION_UNSUPPORTED",
    "Memory",
  );
  if (config) return Object.fromEntries(MEMTUNE_LIMITS.map((n) => [n, memtuneLimit(config, n)]));
  const cgroup = cgroupWith(obj, "memory", "cgroup memory controller is not mounted");
  return Object.fromEntries(
    await Promise.all(
      MEMTUNE_LIMITS.map(async (n) => [n, await cgroup.getMemoryLimit(CGROUP_LIMIT[n])]),
    ),
  );
}

/**
 * `qemuDomainSetMemoryParameters`: the hard limit may not exceed the swap limit; the soft
 * limit goes first, a lowered hard limit before the swap limit, a raised one after it.
 *
 * @example
 * ```ts ignore
 * import { setMemoryParameters } from "./memtune.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await setMemoryParameters(state, obj, { hard_limit: 1048576 }, 1);
 * ```
 */
export async function setMemoryParameters(
  state: QemuDriverState,
  obj: QemuDomainObj,
  params: TypedParams,
  flags: number,
): Promise<void> {
  checkFlags(
    flags,
    VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_AFFECT_CONFIG,
    "qemuDomainSetMemoryParameters",
    "QEMU",
  );
  validateTypedParams(params, Object.fromEntries(MEMTUNE_LIMITS.map((n) => [n, "ullong"])));
  requirePrivileged(state, "OPERATION_UNSUPPORTED", "Memory");
  await obj.job.run(async () => {
    const { live, config } = getDefs(obj, flags);
    const cgroup = live
      ? cgroupWith(obj, "memory", "cgroup memory controller is not mounted")
      : undefined;
    const given = (n: MemtuneLimit) => Object.hasOwn(params, n) ? Number(params[n]) : undefined;
    const hard = given("hard_limit");
    const swap = given("swap_hard_limit");
    if (hard !== undefined || swap !== undefined) {
      const memLimit = hard ?? memtuneLimit(obj.def, "hard_limit");
      const swapLimit = swap ?? memtuneLimit(obj.def, "swap_hard_limit");
      if (memLimit > swapLimit) {
        throw VirError.report(
          "DOMAIN",
          "INVALID_ARG",
          "memory hard_limit tunable value must be lower than or equal to swap_hard_limit",
        );
      }
    }
    const apply = async (name: MemtuneLimit, value: number | undefined) => {
      if (value === undefined) return;
      if (live && cgroup) {
        await cgroup.setMemoryLimit(CGROUP_LIMIT[name], value);
        setMemtuneLimit(live, name, value);
      }
      if (config) setMemtuneLimit(config, name, value);
    };
    await apply("soft_limit", given("soft_limit"));
    const lowering = live && hard !== undefined && memtuneLimit(live, "hard_limit") > hard;
    if (lowering) await apply("hard_limit", hard);
    await apply("swap_hard_limit", swap);
    if (!lowering) await apply("hard_limit", hard);
    if (live) await state.saveStatus(obj);
    if (config) await state.saveConfig(obj);
  });
}
