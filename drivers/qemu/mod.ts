/**
 * libvirt's QEMU driver for edgevirt: `qemu:///session`, `qemu:///system` and
 * `qemu:///embed?root=DIR`, QEMU over QMP, with live vCPU hot(un)plug. Importing this module
 * registers nothing: pass {@link qemuConnectDriver} to a registry.
 *
 * @example
 * ```ts
 * import { qemuConnectDriver } from "./mod.ts";
 * import { createRegistry } from "../../util/registry.ts";
 * const drivers = createRegistry([qemuConnectDriver]);
 * // connect("qemu:///embed?root=/tmp/ev", { drivers }) now runs QEMU from this process.
 * ```
 * @module
 */
export { qemuConnectDriver } from "./driver.ts";
export type { QemuConnectOptions } from "./driver.ts";
