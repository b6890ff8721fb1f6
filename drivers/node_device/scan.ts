/**
 * The host's device list as libvirt's udev backend builds it at start (`udevEnumerateDevices`
 * then `udevAddOneDevice` for each): every device of the buses and classes that can hold a
 * known type, in syspath order (parents first, as libudev sorts), each given the nearest
 * listed ancestor as parent (`udevSetParent`), else `computer`.
 *
 * @module
 */
import type { HostDevDef } from "./device_def.ts";
import type { Sysfs } from "../../util/sysfs.ts";
import { computerDevice } from "./system.ts";
import { processDevice, type ProcessOptions } from "./udev_device.ts";

/** Where the devices of the handled types are listed. */
const LISTS = [
  "/sys/bus/pci/devices",
  "/sys/bus/usb/devices",
  "/sys/bus/scsi/devices",
  "/sys/class/net",
  "/sys/class/scsi_generic",
  "/sys/class/drm",
];

function blockList(sys: Sysfs): string {
  return sys.exists("/sys/class/block") ? "/sys/class/block" : "/sys/block";
}

/** Component-wise path order (`path_compare`), so a parent sorts before its children. */
function comparePaths(a: string, b: string): number {
  const pa = a.split("/");
  const pb = b.split("/");
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] !== pb[i]) return pa[i] < pb[i] ? -1 : 1;
  }
  return pa.length - pb.length;
}

/**
 * The syspaths of every device under the lists, sorted.
 *
 * @example
 * ```ts
 * import { devicePaths } from "./scan.ts";
 * import { Sysfs } from "../../util/sysfs.ts";
 * devicePaths(new Sysfs()).length > 0; // true
 * ```
 */
export function devicePaths(sys: Sysfs): string[] {
  const paths = new Set<string>();
  for (const list of [...LISTS, blockList(sys)]) {
    for (const name of sys.list(list)) {
      const real = sys.resolve(`${list}/${name}`);
      if (real?.startsWith("/sys/devices/")) paths.add(real);
    }
  }
  return [...paths].sort(comparePaths);
}

/**
 * Every host device, `computer` first, then in syspath order, by name (a later device of the
 * same name replaces an earlier one, as `virNodeDeviceObjListAssignDef` does).
 *
 * @example
 * ```ts
 * import { scanDevices } from "./scan.ts";
 * import { Sysfs } from "../../util/sysfs.ts";
 * const devs = scanDevices(new Sysfs(), { privileged: false, ethtool: () => undefined });
 * devs.has("computer"); // true
 * ```
 */
export function scanDevices(
  sys: Sysfs,
  opts: ProcessOptions,
  computer: HostDevDef = computerDevice(sys),
): Map<string, HostDevDef> {
  const out = new Map<string, HostDevDef>([["computer", computer]]);
  const bySyspath = new Map<string, HostDevDef>();
  for (const syspath of devicePaths(sys)) {
    const dev = sys.device(syspath);
    const def = dev && processDevice(sys, dev, opts);
    if (!def) continue;
    let parent: HostDevDef | undefined;
    for (let p = syspath; !parent && p.lastIndexOf("/") > 0;) {
      p = p.slice(0, p.lastIndexOf("/"));
      parent = bySyspath.get(p);
    }
    def.parent = parent?.name ?? "computer";
    bySyspath.set(syspath, def);
    out.set(def.name, def);
  }
  return out;
}
