/**
 * The host's nwfilter driver: libvirt's `nwfilter/` secondary driver, shared by the QEMU
 * driver's connections: network filters (libvirt's built-in ones to start with) and their
 * bindings. Rules are never instantiated on a device: that is refused with libvirt's error.
 *
 * @example
 * ```ts
 * import { nwfilterDriver } from "./mod.ts";
 * console.log(nwfilterDriver.family); // "nwfilter"
 * ```
 * @module
 */
export { nwfilterDriver } from "./driver.ts";
