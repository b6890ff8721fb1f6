/**
 * Host network interfaces as libvirt's udev interface backend enumerates them
 * (`udevGetDevices`): the `net` class minus bridge ports (they show up inside their bridge)
 * and tun/tap devices (guests' NICs), in syspath order; active means `operstate` is `up`.
 *
 * @module
 */
import type { Sysfs } from "../../util/sysfs.ts";

/** An interface as the list calls see it (`udevGetMinimalDefForDevice`). */
export interface HostIface {
  name: string;
  mac: string;
  /** `/sys/devices/…` */
  syspath: string;
  operstate?: string;
}

/**
 * One interface by name, ignoring the list's exclusions (`udev_device_new_from_subsystem_sysname`).
 *
 * @example
 * ```ts
 * import { hostIface } from "./host_ifaces.ts";
 * import { Sysfs } from "../../util/sysfs.ts";
 * hostIface(new Sysfs(), "lo")?.mac; // "00:00:00:00:00:00"
 * ```
 */
export function hostIface(sys: Sysfs, name: string): HostIface | undefined {
  if (name.includes("/") || name === "." || name === "..") return undefined;
  const syspath = sys.resolve(`/sys/class/net/${name}`);
  if (!syspath) return undefined;
  return {
    name,
    mac: sys.attr(syspath, "address") ?? "",
    syspath,
    operstate: sys.attr(syspath, "operstate"),
  };
}

/**
 * The listed interfaces.
 *
 * @example
 * ```ts
 * import { hostIfaces } from "./host_ifaces.ts";
 * import { Sysfs } from "../../util/sysfs.ts";
 * hostIfaces(new Sysfs()).some((i) => i.name === "lo"); // true
 * ```
 */
export function hostIfaces(sys: Sysfs): HostIface[] {
  return sys.list("/sys/class/net")
    .flatMap((name) => hostIface(sys, name) ?? [])
    .filter((i) =>
      sys.attr(i.syspath, "brport/state") === undefined &&
      sys.attr(i.syspath, "tun_flags") === undefined
    )
    .sort((a, b) => (a.syspath < b.syspath ? -1 : a.syspath > b.syspath ? 1 : 0));
}
