/**
 * Storage volumes of libvirt's test driver (`testStorageDriver`, volume half): lookups by
 * name, key and path, create (also as a clone), delete, info, XML and path. Volumes live only
 * in active pools and use up the pool's fixed capacity.
 *
 * @module
 */
import type { DriverConnection, StoragePoolRef, StorageVolRef } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import { formatStorageVolXML, parseStorageVolXML } from "./conf_adapters.ts";
import { type PoolObj, volRef } from "../../conf/objects/storage_pool_obj.ts";
import type { TestDriverState } from "./driver_state.ts";
import { methodTable } from "../../util/method_table.ts";
import { testStorageVolDefaults } from "./storage_postparse.ts";
import { poolInState, volByName } from "./storage_access.ts";

const F = "TEST";

/** `testStorageVolumeTypeForPool`: the volume type each pool type hands out. */
const VOL_TYPE_OF_POOL: Record<string, number> = {
  dir: VIR.STORAGE_VOL_FILE,
  fs: VIR.STORAGE_VOL_FILE,
  netfs: VIR.STORAGE_VOL_FILE,
  vstorage: VIR.STORAGE_VOL_FILE,
  sheepdog: VIR.STORAGE_VOL_NETWORK,
  "iscsi-direct": VIR.STORAGE_VOL_NETWORK,
  gluster: VIR.STORAGE_VOL_NETWORK,
  rbd: VIR.STORAGE_VOL_NETWORK,
  logical: VIR.STORAGE_VOL_BLOCK,
  disk: VIR.STORAGE_VOL_BLOCK,
  mpath: VIR.STORAGE_VOL_BLOCK,
  iscsi: VIR.STORAGE_VOL_BLOCK,
  scsi: VIR.STORAGE_VOL_BLOCK,
  zfs: VIR.STORAGE_VOL_BLOCK,
};

/** The checks and bookkeeping `testStorageVolCreateXML` and `…CreateXMLFrom` share. */
function addVolume(
  pool: PoolObj,
  xml: string,
  flags: number,
  checkOrigin: () => void,
): StorageVolRef {
  const def = pool.def;
  const vol = parseStorageVolXML(def, xml, flags & VIR.STORAGE_VOL_CREATE_VALIDATE);
  if (pool.volumes.get("name", vol.name)) {
    throw VirError.report(F, "OPERATION_FAILED", "storage vol already exists");
  }
  checkOrigin();
  if (def.allocation + vol.allocation > def.capacity) {
    throw VirError.report(
      F,
      "INTERNAL_ERROR",
      `Not enough free space in pool for volume '${vol.name}'`,
    );
  }
  testStorageVolDefaults(def, vol);
  pool.volumes.add(vol);
  def.allocation += vol.allocation;
  def.available = def.capacity - def.allocation;
  return volRef(pool, vol);
}

/**
 * The volume part of the test driver's storage table.
 *
 * @example
 * ```ts
 * import { storageVolMethods } from "./storage_vol_api.ts";
 * import { TestDriverState } from "./driver_state.ts";
 * const methods = storageVolMethods(new TestDriverState());
 * ```
 */
export function storageVolMethods(state: TestDriverState): Partial<DriverConnection> {
  const active = (pool: StoragePoolRef | string) =>
    poolInState(state, typeof pool === "string" ? pool : pool.name, true);
  const find = (vol: StorageVolRef) => {
    const pool = active(vol.pool);
    return { pool, vol: volByName(pool, vol.name) };
  };
  /** `virStoragePoolObjListSearch` by key or path, or libvirt's not-found error. */
  const search = (index: "key" | "path", value: string) => {
    const found = state.pools.searchVolume(index, value);
    if (!found) {
      throw VirError.report(
        F,
        "NO_STORAGE_VOL",
        `no storage vol with matching ${index} '${value}'`,
      );
    }
    return volRef(found.pool, found.vol);
  };
  return methodTable({
    storageVolLookupByName: (pool, name) => {
      const obj = active(pool);
      return volRef(obj, volByName(obj, name));
    },
    storageVolLookupByKey: (key) => search("key", key),
    storageVolLookupByPath: (path) => search("path", path),
    storageVolCreateXML: (pool, xml, flags) => {
      checkFlags(flags, VIR.STORAGE_VOL_CREATE_VALIDATE, "testStorageVolCreateXML", F);
      return addVolume(active(pool), xml, flags, () => {});
    },
    storageVolCreateXMLFrom: (pool, xml, clone, flags) => {
      checkFlags(flags, VIR.STORAGE_VOL_CREATE_VALIDATE, "testStorageVolCreateXMLFrom", F);
      const obj = active(pool);
      // The test driver looks the origin up by name in the target pool, whatever its pool.
      return addVolume(obj, xml, flags, () => volByName(obj, clone.name));
    },
    storageVolDelete: (ref, flags) => {
      checkFlags(flags, 0, "testStorageVolDelete", F);
      const { pool, vol } = find(ref);
      pool.def.allocation -= vol.allocation;
      pool.def.available = pool.def.capacity - pool.def.allocation;
      pool.volumes.delete(vol);
    },
    storageVolGetInfo: (ref) => {
      const { pool, vol } = find(ref);
      return {
        type: VOL_TYPE_OF_POOL[pool.def.type],
        capacity: vol.capacity,
        allocation: vol.allocation,
      };
    },
    storageVolGetXMLDesc: (ref, flags) => {
      checkFlags(flags, 0, "testStorageVolGetXMLDesc", F);
      const { pool, vol } = find(ref);
      return formatStorageVolXML(pool.def, vol);
    },
    storageVolGetPath: (ref) => find(ref).vol.target.path ?? "",
  });
}
