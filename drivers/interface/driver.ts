/**
 * The host's interface driver as a shared secondary driver (libvirt's `udevIfaceRegister`):
 * stateless, every call reads the kernel's view of this process's network namespace.
 * `options.sysfsRoot` and `options.procRoot` read a copied sysfs/procfs instead (tests).
 *
 * @module
 */
import type { SecondaryConnection, SecondaryDriver } from "../../util/contract/compose.ts";
import { Sysfs } from "../../util/sysfs.ts";
import { interfaceMethods } from "./interface_api.ts";

/**
 * The interface secondary driver.
 *
 * @example
 * ```ts
 * import { interfaceDriver } from "./driver.ts";
 * const conn = await interfaceDriver.open(new URL("qemu:///system"), {});
 * console.log((await conn.connectListAllInterfaces?.(0))?.some((i) => i.name === "lo")); // true
 * await conn.connectClose();
 * ```
 */
export const interfaceDriver: SecondaryDriver = {
  name: "udev",
  family: "interface",
  open(_uri, options): Promise<SecondaryConnection> {
    const sys = new Sysfs({
      root: typeof options.sysfsRoot === "string" ? options.sysfsRoot : undefined,
    });
    const proc = typeof options.procRoot === "string" ? options.procRoot : "/proc";
    return Promise.resolve({
      ...interfaceMethods(sys, proc),
      connectClose: () => Promise.resolve(),
    });
  },
};
