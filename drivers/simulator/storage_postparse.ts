import type { StoragePoolDef } from "../../conf/storage_pool/mod.ts";
import type { StorageVolDef } from "../../conf/storage_vol/mod.ts";

/** The test driver's fixed pool size: 100 GiB (libvirt's defaultPoolCap). */
export const TEST_POOL_CAPACITY = 100 * 1024 * 1024 * 1024;

/**
 * What libvirt's test driver does to a pool when it is defined or created
 * (testStoragePoolObjSetDefaults): 100 GiB capacity, nothing allocated.
 *
 * @example
 * ```ts
 * import { testStoragePoolDefaults } from "./storage_postparse.ts";
 * import { parseStoragePoolXML } from "../../conf/storage_pool/mod.ts";
 * const pool = parseStoragePoolXML("<pool type='dir'><name>p</name><target><path>/p</path></target></pool>");
 * testStoragePoolDefaults(pool);
 * pool.available; // 107374182400
 * ```
 */
export function testStoragePoolDefaults(def: StoragePoolDef): StoragePoolDef {
  def.capacity = TEST_POOL_CAPACITY;
  def.allocation = 0;
  def.available = def.capacity - def.allocation;
  return def;
}

/**
 * What libvirt's test driver does to a volume it creates in `pool` (testStorageVolCreateXML):
 * the path, and so the key, become `<pool target path>/<name>`. It does not touch the pool's
 * sizes; the caller accounts for the allocation.
 *
 * @example
 * ```ts
 * import { testStorageVolDefaults } from "./storage_postparse.ts";
 * import { parseStoragePoolXML } from "../../conf/storage_pool/mod.ts";
 * import { parseStorageVolXML } from "../../conf/storage_vol/mod.ts";
 * const pool = parseStoragePoolXML("<pool type='dir'><name>p</name><target><path>/p</path></target></pool>");
 * const vol = parseStorageVolXML(pool, "<volume><name>v</name><capacity>1</capacity></volume>");
 * testStorageVolDefaults(pool, vol).key; // "/p/v"
 * ```
 */
export function testStorageVolDefaults(pool: StoragePoolDef, vol: StorageVolDef): StorageVolDef {
  vol.target.path = `${pool.target.path}/${vol.name}`;
  vol.key = vol.target.path;
  return vol;
}
