import type { DriverConnection, DriverMethod } from "../util/driver.ts";
import { checkCall, unsignedArgs } from "../util/contract/check.ts";
import { callInfo } from "../util/contract/contract.ts";
import { VirError } from "../util/errors.ts";

/**
 * Calls a driver method the way libvirt's public API entry points do: libvirt's argument,
 * flag and read-only checks first (declared once in `util/contract/`, the same ones the gateway
 * re-runs), then the driver; a driver without the method gives "this function is not supported
 * by the connection driver: virXxx". `api` names the public API the caller used, when it is not
 * the method's own (`virDomainSetVcpus` reaches `domainSetVcpusFlags`). A refusal is a rejected
 * promise, never a synchronous throw.
 *
 * @example
 * ```ts
 * import { invoke } from "./invoke.ts";
 * const driver = { type: "DEMO", connectClose: () => Promise.resolve() };
 * await invoke(driver, false, "domainSuspend", undefined, { name: "d", uuid: "", id: 1 })
 *   .catch((e) => console.log(e.message)); // this function is not supported … virDomainSuspend
 * ```
 */
export function invoke<M extends DriverMethod>(
  driver: DriverConnection,
  readonly: boolean,
  method: M,
  api: string | undefined,
  ...args: Parameters<NonNullable<DriverConnection[M]>>
): ReturnType<NonNullable<DriverConnection[M]>> {
  type Result = ReturnType<NonNullable<DriverConnection[M]>>;
  const info = callInfo(method);
  const cArgs = unsignedArgs(info, args);
  try {
    checkCall(info, cArgs, { readonly, api });
  } catch (e) {
    return Promise.reject(e) as Result;
  }
  const fn = driver[method] as ((...a: unknown[]) => unknown) | undefined;
  if (typeof fn !== "function") {
    return Promise.reject(VirError.report(info.family, "NO_SUPPORT", api ?? info.api)) as Result;
  }
  return fn.apply(driver, cArgs as unknown[]) as Result;
}
