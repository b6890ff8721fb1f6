/**
 * libvirt's cgroup tunable limits (`VIR_CGROUP_CPU_*`, `VIR_DOMAIN_MEMORY_PARAM_UNLIMITED`) and
 * the range checks both backends make before writing a value.
 *
 * @module
 */
import { VirError } from "../errors.ts";
import { MEMORY_UNLIMITED } from "./backend.ts";

/** `VIR_CGROUP_CPU_SHARES_*`, `VIR_CGROUP_CPU_PERIOD_*`, `VIR_CGROUP_CPU_QUOTA_*`. */
export const CPU_LIMITS = {
  sharesMin: 2,
  sharesMax: 262144,
  periodMin: 1000,
  periodMax: 1000000,
  quotaMin: 1000,
  quotaMax: 17592186044415,
} as const;

const L = CPU_LIMITS;

/**
 * `virCgroupV*SetCpuShares`' range check.
 *
 * @example
 * ```ts
 * import { checkShares } from "./limits.ts";
 * checkShares(1024);
 * ```
 */
export function checkShares(shares: number): void {
  if (shares < L.sharesMin || shares > L.sharesMax) {
    throw VirError.report(
      "CGROUP",
      "INVALID_ARG",
      `shares '${shares}' must be in range [${L.sharesMin}, ${L.sharesMax}]`,
    );
  }
}

/**
 * `virCgroupV*SetCpuCfsPeriod`' range check.
 *
 * @example
 * ```ts
 * import { checkCfsPeriod } from "./limits.ts";
 * checkCfsPeriod(100000);
 * ```
 */
export function checkCfsPeriod(period: number): void {
  if (period < L.periodMin || period > L.periodMax) {
    throw VirError.report(
      "CGROUP",
      "INVALID_ARG",
      `cfs_period '${period}' must be in range (${L.periodMin}, ${L.periodMax})`,
    );
  }
}

/**
 * `virCgroupV*SetCpuCfsQuota`' range check (a negative quota is no limit).
 *
 * @example
 * ```ts
 * import { checkCfsQuota } from "./limits.ts";
 * checkCfsQuota(-1);
 * ```
 */
export function checkCfsQuota(quota: number): void {
  if (quota >= 0 && (quota < L.quotaMin || quota > L.quotaMax)) {
    throw VirError.report(
      "CGROUP",
      "INVALID_ARG",
      `cfs_quota '${quota}' must be in range (${L.quotaMin}, ${L.quotaMax})`,
    );
  }
}

/**
 * `virCgroupV*SetMemory*`' check: at most {@link MEMORY_UNLIMITED} KiB.
 *
 * @example
 * ```ts
 * import { checkMemory } from "./limits.ts";
 * checkMemory(1024);
 * ```
 */
export function checkMemory(kib: number): void {
  if (kib > MEMORY_UNLIMITED) {
    throw VirError.report(
      "CGROUP",
      "INVALID_ARG",
      `Memory '${kib}' must be less than ${MEMORY_UNLIMITED}`,
    );
  }
}
