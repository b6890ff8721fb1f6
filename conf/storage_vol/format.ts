import { element, stringify, type XmlElement } from "../../util/xml/mod.ts";
import { formatStoragePerms, type StoragePerms, type StoragePoolDef } from "../storage_pool/mod.ts";
import { formatVolEncryption } from "./encryption.ts";
import type { StorageVolDef, VolTimestamps } from "./model.ts";
import { volumeFormats } from "./vol_formats.ts";

function target(
  name: string,
  hasFormats: boolean,
  t: { path?: string; format?: string; permissions: StoragePerms; timestamps?: VolTimestamps },
  extra: (XmlElement | false | undefined)[],
): XmlElement {
  const ts = t.timestamps;
  return element(name, {}, [
    t.path !== undefined && element("path", {}, [t.path]),
    hasFormats && t.format !== undefined && element("format", { type: t.format }),
    formatStoragePerms(t.permissions),
    ts && element("timestamps", {}, [
      element("atime", {}, [ts.atime]),
      element("mtime", {}, [ts.mtime]),
      element("ctime", {}, [ts.ctime]),
      element("btime", {}, [ts.btime]),
    ]),
    ...extra,
  ]);
}

/**
 * Formats a volume of `pool` like libvirt 9.0's virStorageVolDefFormat (sizes in bytes).
 *
 * @example
 * ```ts
 * import { formatStorageVolXML, parseStorageVolXML } from "./mod.ts";
 * import { parseStoragePoolXML } from "../storage_pool/mod.ts";
 * const pool = parseStoragePoolXML("<pool type='dir'><name>p</name><target><path>/p</path></target></pool>");
 * const vol = parseStorageVolXML(pool, "<volume><name>v</name><capacity>1</capacity></volume>");
 * formatStorageVolXML(pool, vol).startsWith("<volume type='file'>"); // true
 * ```
 */
export function formatStorageVolXML(pool: StoragePoolDef, vol: StorageVolDef, _flags = 0): string {
  const hasFormats = volumeFormats(pool.type) !== undefined;
  const size = (name: string, v: number) => element(name, { unit: "bytes" }, [String(v)]);
  const t = vol.target;
  const features = t.features &&
    element("features", {}, t.features.map((f) => element(f)));
  return stringify(element("volume", { type: vol.type }, [
    element("name", {}, [vol.name]),
    vol.key !== undefined && element("key", {}, [vol.key]),
    size("capacity", vol.capacity),
    size("allocation", vol.allocation),
    vol.physical ? size("physical", vol.physical) : undefined,
    target("target", hasFormats, t, [
      t.encryption && formatVolEncryption(t.encryption),
      t.compat !== undefined && element("compat", {}, [t.compat]),
      t.clusterSize ? element("clusterSize", { unit: "B" }, [String(t.clusterSize)]) : undefined,
      features,
    ]),
    vol.backingStore && target("backingStore", hasFormats, vol.backingStore, []),
  ]));
}
