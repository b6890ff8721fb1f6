/**
 * For driver authors: the driver contract (libvirt's driver SPI), the registry that hands
 * drivers to `connect()` and to the gateway, and libvirt's error helpers. Nothing here runs on
 * import.
 *
 * @example
 * ```ts
 * import { type ConnectDriver, createRegistry, VirError } from "./driver_kit.ts";
 * import { connect } from "./mod.ts";
 * const demo: ConnectDriver = {
 *   name: "demo",
 *   schemes: ["demo"],
 *   open: (uri) =>
 *     uri.pathname === "/x"
 *       ? Promise.resolve({ type: "DEMO", connectClose: () => Promise.resolve() })
 *       : Promise.reject(VirError.report("NONE", "NO_CONNECT", uri.href)),
 * };
 * const conn = await connect("demo:///x", { drivers: createRegistry([demo]) });
 * console.log(conn.getType()); // "DEMO"
 * await conn.close();
 * ```
 * @module
 */
export type * from "./util/driver.ts";
export { createRegistry, type DriverRegistry } from "./util/registry.ts";
export { VIR, type VirConstants } from "./util/constants.ts";
export {
  checkFlags,
  errorCodeName,
  errorDomainName,
  errorMessage,
  VirError,
} from "./util/errors.ts";
export type { ErrorCodeName, ErrorDomainName, VirErrorJSON } from "./util/errors.ts";
export { EventHub } from "./util/event_hub.ts";
export * from "./util/contract/mod.ts";
