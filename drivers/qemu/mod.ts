/**
 * libvirt's QEMU driver for edgevirt: `qemu:///session` and `qemu:///system`, QEMU over QMP,
 * with live vCPU hot(un)plug. Importing this module registers the driver.
 *
 * @example
 * ```ts
 * import "./mod.ts";
 * // connect("qemu:///session", { stateDir: "/tmp/ev" }) now reaches this driver.
 * ```
 * @module
 */
import { registerDriver } from "../../util/registry.ts";
import { qemuConnectDriver } from "./driver.ts";

registerDriver(qemuConnectDriver);

export { qemuConnectDriver } from "./driver.ts";
export type { QemuConnectOptions } from "./driver.ts";
