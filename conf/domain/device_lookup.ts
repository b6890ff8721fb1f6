/**
 * Reading the device list of a domain definition the way the drivers' calls need it:
 * disks by target, the memory balloon, network interfaces by name or MAC.
 *
 * @module
 */
import type { DomainDef, DomainInterface, XmlElementJSON } from "./def.ts";
import { VirError } from "../../util/errors.ts";

/**
 * Every `<disk>` of a definition, in order.
 *
 * @example
 * ```ts
 * import { disks } from "./device_lookup.ts";
 * declare const def: import("./def.ts").DomainDef;
 * disks(def).length;
 * ```
 */
export function disks(def: DomainDef): XmlElementJSON[] {
  return def.devices.other.filter((d) => d.name === "disk");
}

function childEl(el: XmlElementJSON, name: string): XmlElementJSON | undefined {
  return el.children.find((c): c is XmlElementJSON => c.type === "element" && c.name === name);
}

/**
 * A disk's target name (`vda`).
 *
 * @example
 * ```ts
 * import { diskTarget, disks } from "./device_lookup.ts";
 * declare const def: import("./def.ts").DomainDef;
 * disks(def).map(diskTarget);
 * ```
 */
export function diskTarget(disk: XmlElementJSON): string {
  return childEl(disk, "target")?.attributes.dev ?? "";
}

/**
 * `virDomainDiskByName`: a disk by target name or, unless `targetOnly`, by source path.
 *
 * @example
 * ```ts
 * import { diskByName } from "./device_lookup.ts";
 * declare const def: import("./def.ts").DomainDef;
 * diskByName(def, "vda", true);
 * ```
 */
export function diskByName(
  def: DomainDef,
  name: string,
  targetOnly: boolean,
): XmlElementJSON | undefined {
  return disks(def).find((d) => {
    if (diskTarget(d) === name) return true;
    if (targetOnly) return false;
    const src = childEl(d, "source")?.attributes;
    return src !== undefined && (src.file ?? src.dev ?? src.dir ?? src.name) === name;
  });
}

/**
 * Whether a disk has a source (`virStorageSourceIsEmpty` negated).
 *
 * @example
 * ```ts
 * import { diskHasSource } from "./device_lookup.ts";
 * declare const disk: import("./def.ts").XmlElementJSON;
 * diskHasSource(disk);
 * ```
 */
export function diskHasSource(disk: XmlElementJSON): boolean {
  const src = childEl(disk, "source")?.attributes;
  return src !== undefined && Object.keys(src).length > 0;
}

/**
 * The memory balloon, unless absent or `model='none'` (`virDomainDefHasMemballoon`).
 *
 * @example
 * ```ts
 * import { memballoon } from "./device_lookup.ts";
 * declare const def: import("./def.ts").DomainDef;
 * memballoon(def) !== undefined;
 * ```
 */
export function memballoon(def: DomainDef): XmlElementJSON | undefined {
  return def.devices.other.find((d) => d.name === "memballoon" && d.attributes.model !== "none");
}

/**
 * `virDomainNetFind`: an interface by MAC address or target name, or libvirt's error.
 *
 * @example
 * ```ts
 * import { netFind } from "./device_lookup.ts";
 * declare const def: import("./def.ts").DomainDef;
 * netFind(def, "testnet0");
 * ```
 */
export function netFind(def: DomainDef, device: string): DomainInterface {
  const isMac = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(device);
  const matches = def.devices.interfaces.filter((n) =>
    isMac ? n.mac?.toLowerCase() === device.toLowerCase() : n.target === device
  );
  if (matches.length > 1 && isMac) {
    throw VirError.report(
      "DOMAIN",
      "OPERATION_FAILED",
      `multiple devices matching MAC address ${device} found`,
    );
  }
  if (!matches.length) {
    throw VirError.report("DOMAIN", "INVALID_ARG", `'${device}' is not a known interface`);
  }
  return matches[0];
}
