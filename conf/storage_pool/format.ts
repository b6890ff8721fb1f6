import { element, stringify } from "../../util/xml/mod.ts";
import type { StoragePoolDef } from "./model.ts";
import { formatStoragePerms } from "./permissions.ts";
import { POOL_TYPE_INFO } from "./pool_types.ts";
import { formatPoolSource } from "./source.ts";

/**
 * Formats a pool like libvirt 9.0's virStoragePoolDefFormat (sizes in bytes; network pools
 * have no `<target>`).
 *
 * @example
 * ```ts
 * import { formatStoragePoolXML, parseStoragePoolXML } from "./mod.ts";
 * formatStoragePoolXML(parseStoragePoolXML("<pool type='dir'><name>p</name><target><path>/p</path></target></pool>"));
 * ```
 */
export function formatStoragePoolXML(def: StoragePoolDef, _flags = 0): string {
  const size = (name: string, v: number) => element(name, { unit: "bytes" }, [String(v)]);
  return stringify(element("pool", { type: def.type }, [
    element("name", {}, [def.name]),
    def.uuid ? element("uuid", {}, [def.uuid]) : undefined,
    size("capacity", def.capacity),
    size("allocation", def.allocation),
    size("available", def.available),
    def.cow && element("features", {}, [element("cow", { state: def.cow })]),
    formatPoolSource(def.source, def.type),
    !POOL_TYPE_INFO[def.type].network &&
    element("target", {}, [
      def.target.path !== undefined && element("path", {}, [def.target.path]),
      formatStoragePerms(def.target.permissions),
    ]),
    def.refreshVolumeAllocation &&
    element("refresh", {}, [element("volume", { allocation: def.refreshVolumeAllocation })]),
  ]));
}
