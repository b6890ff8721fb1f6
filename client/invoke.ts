import type { DriverConnection, DriverMethod } from "../util/driver.ts";
import { VirError } from "../util/errors.ts";

/** The error domain libvirt's public API file uses for each family (its VIR_FROM_THIS). */
export type ApiFamily =
  | "NONE"
  | "DOMAIN"
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
