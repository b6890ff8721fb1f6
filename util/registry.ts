import type { ConnectDriver } from "./driver.ts";

const drivers: ConnectDriver[] = [];

/**
 * Registers a connection driver, as libvirt's `virRegisterConnectDriver`. Later registrations
 * of the same name replace the earlier one.
 *
 * @example
 * ```ts
 * import { registerDriver } from "./registry.ts";
 * registerDriver({
 *   name: "demo",
 *   schemes: ["demo"],
 *   open: () => Promise.resolve({ type: "DEMO", connectClose: () => Promise.resolve() }),
 * });
 * ```
 */
export function registerDriver(driver: ConnectDriver): void {
  const i = drivers.findIndex((d) => d.name === driver.name);
  if (i >= 0) drivers[i] = driver;
  else drivers.push(driver);
}

/** The driver registered for a URI scheme (`test`, `qemu`), if any. */
export function findDriver(scheme: string): ConnectDriver | undefined {
  return drivers.find((d) => d.schemes.includes(scheme));
}

/** Every registered driver, in registration order. */
export function registeredDrivers(): readonly ConnectDriver[] {
  return drivers;
}
