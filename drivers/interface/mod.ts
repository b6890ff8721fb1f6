/**
 * The host's interface driver: libvirt's `interface/` secondary driver with its udev backend
 * (read-only host interfaces), reading `/sys/class/net` directly instead of libudev.
 *
 * @example
 * ```ts
 * import { interfaceDriver } from "./mod.ts";
 * console.log(interfaceDriver.family); // "interface"
 * ```
 * @module
 */
export { interfaceDriver } from "./driver.ts";
