import type { DriverConnection, DriverMethod } from "../util/driver.ts";
import { VirError } from "../util/errors.ts";

/** The error domain libvirt's public API file uses for each family (its VIR_FROM_THIS). */
export type ApiFamily =
  | "NONE"
  | "DOMAIN"
  | "DOMAIN_SNAPSHOT"
  | "DOMAIN_CHECKPOINT"
  | "NETWORK"
  | "STORAGE"
  | "NODEDEV"
  | "INTERFACE"
  | "SECRET";

/**
 * Calls a driver method the way libvirt's public API entry points do: a driver without the
 * method gives "this function is not supported by the connection driver: virXxx".
 */
export function invoke<M extends DriverMethod>(
  driver: DriverConnection,
  method: M,
  api: string,
  family: ApiFamily,
  ...args: Parameters<NonNullable<DriverConnection[M]>>
): ReturnType<NonNullable<DriverConnection[M]>> {
  const fn = driver[method] as ((...a: unknown[]) => unknown) | undefined;
  if (typeof fn !== "function") {
    return Promise.reject(VirError.report(family, "NO_SUPPORT", api)) as ReturnType<
      NonNullable<DriverConnection[M]>
    >;
  }
  return fn.apply(driver, args) as ReturnType<NonNullable<DriverConnection[M]>>;
}

/** libvirt's read-only connection check: "operation forbidden: read only access prevents virXxx". */
export function denyReadOnly(readonly: boolean, api: string, family: ApiFamily): void {
  if (readonly) {
    throw VirError.report(family, "OPERATION_DENIED", `read only access prevents ${api}`);
  }
}

/** libvirt's virCheckNonZeroArgGoto / virCheckNonNullArgGoto: the bare message, code 8. */
export function checkArg(ok: boolean, message: string, family: ApiFamily): void {
  if (!ok) throw VirError.bare(family, "INVALID_ARG", message);
}

/**
 * libvirt's VIR_REQUIRE_FLAG_GOTO: `flag` needs `required`; the names are the C constants.
 *
 * @example
 * ```ts
 * import { requireFlag } from "./invoke.ts";
 * requireFlag(0x2, 0x2, 0x1, "VIR_X_B", "VIR_X_A", "DOMAIN"); // throws: 'VIR_X_A' is required
 * ```
 */
export function requireFlag(
  flags: number,
  flag: number,
  required: number,
  fname: string,
  rname: string,
  family: ApiFamily = "DOMAIN",
): void {
  if ((flags & flag) && !(flags & required)) {
    throw VirError.bare(family, "INVALID_ARG", `Flag '${rname}' is required by flag '${fname}'`);
  }
}

/**
 * libvirt's VIR_EXCLUSIVE_FLAGS_GOTO: `a` and `b` together are refused.
 *
 * @example
 * ```ts
 * import { exclusiveFlags } from "./invoke.ts";
 * exclusiveFlags(0x1, 0x1, 0x2, "VIR_X_A", "VIR_X_B", "DOMAIN"); // ok: only one is set
 * ```
 */
export function exclusiveFlags(
  flags: number,
  a: number,
  b: number,
  an: string,
  bn: string,
  family: ApiFamily = "DOMAIN",
): void {
  if ((flags & a) && (flags & b)) {
    throw VirError.bare(family, "INVALID_ARG", `Flags '${an}' and '${bn}' are mutually exclusive`);
  }
}
