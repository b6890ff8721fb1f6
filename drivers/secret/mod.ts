/**
 * The host's secret driver: libvirt's `secret/` secondary driver, shared by the QEMU driver's
 * connections. Persistent values are encrypted at rest; ephemeral secrets never touch disk.
 *
 * @example
 * ```ts
 * import { secretDriver } from "./mod.ts";
 * console.log(secretDriver.family); // "secret"
 * ```
 * @module
 */
export { secretDriver } from "./driver.ts";
