/**
 * The host's storage driver: libvirt's `storage/` secondary driver for `dir` pools, shared by
 * the QEMU driver's connections (`qemu:///session`, `qemu:///system`, `qemu:///embed`).
 *
 * @example
 * ```ts
 * import { storageDriver } from "./mod.ts";
 * console.log(storageDriver.family); // "storage"
 * ```
 * @module
 */
export { storageDriver } from "./driver.ts";
