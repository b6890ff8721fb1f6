/**
 * The host's node-device driver: libvirt's `node_device/` secondary driver with its udev
 * backend, reading sysfs directly (and udevd's database when present) instead of libudev,
 * and polling sysfs for hot-plug events instead of udev's netlink monitor.
 *
 * @example
 * ```ts
 * import { nodeDeviceDriver } from "./mod.ts";
 * console.log(nodeDeviceDriver.family); // "nodedev"
 * ```
 * @module
 */
export { nodeDeviceDriver } from "./driver.ts";
