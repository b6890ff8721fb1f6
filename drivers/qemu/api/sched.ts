/**
 * The scheduler calls of libvirt's QEMU driver (`qemuDomainGetSchedulerType`,
 * `qemuDomainGetSchedulerParametersFlags`, `qemuDomainSetSchedulerParametersFlags`): CPU
 * shares and CFS bandwidth, live through the domain's cgroups and in `<cputune>`. Only the
 * privileged (system) driver has them.
 *
 * @module
 */
import {
  type CputuneValue,
  cputuneValue,
  setCputuneValue,
} from "../../../conf/domain/cputune_sched.ts";
import type { DomainDef } from "../../../conf/domain/def.ts";
import { iothreadIdsOf } from "../../../conf/domain/iothreads.ts";
import { getDefs, isActive } from "../../../conf/objects/domain_obj.ts";
import { type Cgroup, CPU_LIMITS } from "../../../util/cgroup/mod.ts";
import { VIR } from "../../../util/constants.ts";
import type { TypedParams } from "../../../util/driver.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import { validateTypedParams } from "../../../util/typed_params.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import { cgroupWith, requirePrivileged, tuningGetterDefs } from "./tuning_access.ts";
import { hasVcpuPids } from "../hotplug/vcpu_model.ts";

/** Which threads a bandwidth parameter limits. */
type Scope = "vcpu" | "emulator" | "global" | "iothread";

/** The scheduler parameters in libvirt's output order, with their `<cputune>` element. */
const PARAMS: { name: string; el: CputuneValue; scope?: Scope; quota?: boolean }[] = [
  { name: "cpu_shares", el: "shares" },
  { name: "vcpu_period", el: "period", scope: "vcpu" },
  { name: "vcpu_quota", el: "quota", scope: "vcpu", quota: true },
  { name: "emulator_period", el: "emulator_period", scope: "emulator" },
  { name: "emulator_quota", el: "emulator_quota", scope: "emulator", quota: true },
  { name: "global_period", el: "global_period", scope: "global" },
  { name: "global_quota", el: "global_quota", scope: "global", quota: true },
  { name: "iothread_period", el: "iothread_period", scope: "iothread" },
  { name: "iothread_quota", el: "iothread_quota", scope: "iothread", quota: true },
];

/**
 * `qemuDomainGetSchedulerType`: "posix" with 9 parameters (1 without CFS bandwidth).
 *
 * @example
 * ```ts ignore
 * import { schedulerType } from "./sched.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * schedulerType(state, obj); // ["posix", 9]
 * ```
 */
export function schedulerType(state: QemuDriverState, obj: QemuDomainObj): [string, number] {
  requirePrivileged(state, "OPERATION_UNSUPPORTED", "CPU");
  if (!isActive(obj)) return ["posix", PARAMS.length];
  return [
    "posix",
    cgroupWith(obj, "cpu", "cgroup CPU controller is not mounted").supportsCpuBW()
      ? PARAMS.length
      : 1,
  ];
}

/** The thread groups a scope's bandwidth lives in (none for vCPUs whose threads are unknown). */
async function scopeGroups(obj: QemuDomainObj, cgroup: Cgroup, scope: Scope): Promise<Cgroup[]> {
  switch (scope) {
    case "global":
      return [cgroup];
    case "emulator":
      return [await cgroup.newThread("emulator", 0, false)];
    case "vcpu": {
      const vm = obj.vcpus?.ctx.vm;
      if (!vm || !hasVcpuPids(vm)) return [];
      const online = vm.vcpus.flatMap((v, i) => v.online ? [i] : []);
      return await Promise.all(online.map((i) => cgroup.newThread("vcpu", i, false)));
    }
    case "iothread":
      return await Promise.all(
        iothreadIdsOf(obj.def).map((id) => cgroup.newThread("iothread", id, false)),
      );
  }
}

/** The live period and quota of a scope (`qemuGet*BWLive`). */
async function liveBandwidth(
  obj: QemuDomainObj,
  cgroup: Cgroup,
  scope: Scope,
): Promise<{ period: number; quota: number }> {
  // The first vCPU's or IOThread's group speaks for all of them.
  const groups = await scopeGroups(obj, cgroup, scope);
  if (groups.length) return await groups[0].getCpuPeriodQuota();
  // No thread groups: the machine's, a vCPU's share of its quota.
  const bw = await cgroup.getCpuPeriodQuota();
  if (scope === "vcpu" && bw.quota > 0) bw.quota = Math.trunc(bw.quota / obj.def.vcpu.current);
  return bw;
}

/**
 * `qemuDomainGetSchedulerParametersFlags`: the persistent `<cputune>` values, or the live ones
 * from the cgroups.
 *
 * @example
 * ```ts ignore
 * import { getSchedulerParameters } from "./sched.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await getSchedulerParameters(state, obj, 0); // { cpu_shares: 1024, vcpu_period: 100000, … }
 * ```
 */
export async function getSchedulerParameters(
  state: QemuDriverState,
  obj: QemuDomainObj,
  flags: number,
): Promise<TypedParams> {
  const { live, config } = tuningGetterDefs(
    state,
    obj,
    flags,
    "qemuDomainGetSchedulerParametersFlags",
    "CONFIG_UNSUPPORTED",
    "CPU",
  );
  if (config || !live) {
    const def = config ?? obj.def;
    return Object.fromEntries(PARAMS.map((p) => [p.name, cputuneValue(def, p.el) ?? 0]));
  }
  const cgroup = cgroupWith(obj, "cpu", "cgroup CPU controller is not mounted");
  const out: TypedParams = { cpu_shares: await cgroup.getCpuShares() };
  if (!cgroup.supportsCpuBW()) return out;
  for (const scope of ["vcpu", "emulator", "global", "iothread"] as const) {
    const { period, quota } = await liveBandwidth(obj, cgroup, scope);
    out[`${scope}_period`] = period;
    out[`${scope}_quota`] = quota;
  }
  return out;
}

/**
 * `qemuDomainSetSchedulerParametersFlags`: each value is range-checked, applied to the
 * cgroups and the live `<cputune>`, and/or written to the persistent one; the live changes
 * are announced in one TUNABLE event.
 *
 * @example
 * ```ts ignore
 * import { setSchedulerParameters } from "./sched.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await setSchedulerParameters(state, obj, { cpu_shares: 2048 }, 1);
 * ```
 */
export async function setSchedulerParameters(
  state: QemuDriverState,
  obj: QemuDomainObj,
  params: TypedParams,
  flags: number,
): Promise<void> {
  checkFlags(
    flags,
    VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_AFFECT_CONFIG,
    "qemuDomainSetSchedulerParametersFlags",
    "QEMU",
  );
  validateTypedParams(
    params,
    Object.fromEntries(PARAMS.map((p) => [p.name, p.quota ? "llong" : "ullong"])),
  );
  requirePrivileged(state, "CONFIG_UNSUPPORTED", "CPU");
  await obj.job.run(async () => {
    const { live, config } = getDefs(obj, flags);
    const copy: DomainDef | undefined = config && structuredClone(config);
    const cgroup = live
      ? cgroupWith(obj, "cpu", "cgroup CPU controller is not mounted")
      : undefined;
    const event: TypedParams = {};
    // A failure leaves what was applied before it, unsaved and unannounced, as libvirt does.
    for (const p of PARAMS) {
      if (!Object.hasOwn(params, p.name)) continue;
      const value = Number(params[p.name]);
      if (p.scope) checkRange(p.name, value, !!p.quota);
      if (live && cgroup && (value || !p.scope)) {
        if (p.scope) {
          for (const g of await scopeGroups(obj, cgroup, p.scope)) {
            await g.setupCpuPeriodQuota(p.quota ? 0 : value, p.quota ? value : 0);
          }
        } else await cgroup.setCpuShares(value);
        setCputuneValue(live, p.el, value);
        event[`cputune.${p.name}`] = value;
      }
      // An unset period or quota is 0, which libvirt does not print.
      if (copy) setCputuneValue(copy, p.el, value || !p.scope ? value : undefined);
    }
    if (live) await state.saveStatus(obj);
    if (Object.keys(event).length) {
      state.emitOther(obj, VIR.DOMAIN_EVENT_ID_TUNABLE, { params: event });
    }
    if (copy) {
      if (obj.newDef) obj.newDef = copy;
      else obj.def = copy;
      await state.saveConfig(obj);
    }
  });
}

/** libvirt's `SCHED_RANGE_CHECK`: 0 (unset) and negative quotas pass. */
function checkRange(name: string, value: number, quota: boolean): void {
  const [min, max] = quota
    ? [CPU_LIMITS.quotaMin, CPU_LIMITS.quotaMax]
    : [CPU_LIMITS.periodMin, CPU_LIMITS.periodMax];
  if ((value > 0 && value < min) || value > max) {
    throw VirError.report(
      "QEMU",
      "INVALID_ARG",
      `value of '${name}' is out of range [${min}, ${max}]`,
    );
  }
}
