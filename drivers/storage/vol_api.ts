/**
 * The volume half of libvirt's storage driver (storage_driver.c) for directory pools: list,
 * lookups by name/key/path, create (raw, qcow2 with backing store), clone, delete, wipe,
 * resize, info and XML. Info and XML probe the file again first, as libvirt refreshes a
 * volume before answering.
 *
 * @module
 */
import type { DriverConnection, StorageVolRef } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import { methodTable } from "../../util/method_table.ts";
import { type PoolObj, volRef } from "../../conf/objects/storage_pool_obj.ts";
import {
  formatStorageVolXML,
  parseStorageVolElement,
  parseStorageVolXML,
  type StorageVolDef,
} from "../../conf/storage_vol/mod.ts";
import { child, parse } from "../../util/xml/mod.ts";
import { poolInState, poolOf, volByName, volOf } from "./access.ts";
import { buildVol, createVol, deleteVol, refreshVol, resizeVol, wipeVol } from "./dir_backend.ts";
import type { StorageState } from "./state.ts";
import { volDownload, volUpload } from "./vol_stream.ts";
import { account } from "./accounting.ts";

const F = "STORAGE";
const E = VIR;
const WIPE_ALG_LAST = 9;

/**
 * Adds a volume as `storageVolCreateXML` and `…CreateXMLFrom` do after their own checks: the
 * path and key from the pool, the file built (from `input` when cloning), probed, accounted.
 */
async function addVolume(
  pool: PoolObj,
  vol: StorageVolDef,
  input?: StorageVolDef,
): Promise<StorageVolRef> {
  delete vol.key;
  await createVol(pool.def, vol);
  pool.volumes.add(vol);
  try {
    await buildVol(vol, input);
    await refreshVol(vol);
  } catch (e) {
    pool.volumes.delete(vol);
    throw e;
  }
  pool.volumes.reindex(vol);
  account(pool, vol.allocation);
  return volRef(pool, vol);
}

/**
 * The volume calls of one storage driver connection.
 *
 * @example
 * ```ts
 * import { storageVolMethods } from "./vol_api.ts";
 * import { StorageState } from "./state.ts";
 * storageVolMethods(new StorageState({ configDir: "/tmp/c", stateDir: "/tmp/s" }));
 * ```
 */
export function storageVolMethods(state: StorageState): Partial<DriverConnection> {
  const search = (index: "key" | "path", value: string, quote: boolean) => {
    const found = state.pools.searchVolume(index, value);
    if (!found) {
      throw VirError.report(
        F,
        "NO_STORAGE_VOL",
        `no storage vol with matching ${index} ${quote ? `'${value}'` : value}`,
      );
    }
    return volRef(found.pool, found.vol);
  };
  /** The volume, probed again (`backend->refreshVol`). */
  const fresh = async (ref: StorageVolRef) => {
    const found = volOf(state, ref);
    await refreshVol(found.vol);
    return found;
  };
  return methodTable({
    storagePoolListAllVolumes: (pool, flags) => {
      checkFlags(flags, 0, "storagePoolListAllVolumes", F);
      const obj = poolInState(poolOf(state, pool), true);
      return [...obj.volumes].map((v) => volRef(obj, v));
    },
    storageVolLookupByName: (pool, name) => {
      const obj = poolInState(poolOf(state, pool), true);
      return volRef(obj, volByName(obj, name));
    },
    storageVolLookupByKey: (key) => search("key", key, false),
    storageVolLookupByPath: (path) => search("path", path.replace(/\/+/g, "/"), true),
    storageVolCreateXML: async (pool, xml, flags) => {
      checkFlags(
        flags,
        E.STORAGE_VOL_CREATE_PREALLOC_METADATA | E.STORAGE_VOL_CREATE_VALIDATE,
        "storageVolCreateXML",
        F,
      );
      const obj = poolInState(poolOf(state, pool), true);
      const vol = parseStorageVolXML(obj.def, xml);
      if (obj.volumes.get("name", vol.name)) {
        throw VirError.report(F, "STORAGE_VOL_EXIST", `'${vol.name}'`);
      }
      return await addVolume(obj, vol);
    },
    storageVolCreateXMLFrom: async (pool, xml, clone, flags) => {
      checkFlags(
        flags,
        E.STORAGE_VOL_CREATE_PREALLOC_METADATA | E.STORAGE_VOL_CREATE_REFLINK |
          E.STORAGE_VOL_CREATE_VALIDATE,
        "storageVolCreateXMLFrom",
        F,
      );
      const obj = poolOf(state, pool);
      const src = clone.pool === obj.def.name ? obj : poolOf(state, clone.pool);
      poolInState(obj, true);
      poolInState(src, true);
      const input = volByName(src, clone.name);
      const root = parse(xml, {
        context: "(storage_volume_definition)",
        errorDomain: "STORAGE",
        expectRoot: "volume",
      });
      const vol = parseStorageVolElement(obj.def, root);
      if (obj.volumes.get("name", vol.name)) {
        throw VirError.report(
          F,
          "INTERNAL_ERROR",
          `storage volume name '${vol.name}' already in use.`,
        );
      }
      vol.capacity = Math.max(vol.capacity, input.capacity);
      // "If omitted when creating a volume, the volume will be fully allocated".
      if (!child(root, "allocation")) vol.allocation = vol.capacity;
      return await addVolume(obj, vol, input);
    },
    storageVolDelete: async (ref, flags) => {
      const { pool, vol } = volOf(state, ref);
      checkFlags(flags, 0, "virStorageBackendVolDeleteLocal", F);
      await deleteVol(vol);
      account(pool, -vol.allocation);
      pool.volumes.delete(vol);
    },
    storageVolWipe: async (ref, flags) => await wipe(ref, E.STORAGE_VOL_WIPE_ALG_ZERO, flags),
    storageVolWipePattern: async (ref, algorithm, flags) => await wipe(ref, algorithm, flags),
    storageVolGetInfo: async (ref) => info(await fresh(ref), 0),
    storageVolGetInfoFlags: async (ref, flags) => {
      checkFlags(flags, E.STORAGE_VOL_GET_PHYSICAL, "storageVolGetInfoFlags", F);
      return info(await fresh(ref), flags);
    },
    storageVolGetXMLDesc: async (ref, flags) => {
      checkFlags(flags, 0, "storageVolGetXMLDesc", F);
      const { pool, vol } = await fresh(ref);
      return formatStorageVolXML(pool.def, vol);
    },
    storageVolGetPath: (ref) => volOf(state, ref).vol.target.path ?? "",
    storageVolUpload: (ref, offset, length, flags) => volUpload(state, ref, offset, length, flags),
    storageVolDownload: (ref, offset, length, flags) =>
      volDownload(state, ref, offset, length, flags),
    storageVolResize: async (ref, capacity, flags) => {
      checkFlags(
        flags,
        E.STORAGE_VOL_RESIZE_ALLOCATE | E.STORAGE_VOL_RESIZE_DELTA | E.STORAGE_VOL_RESIZE_SHRINK,
        "storageVolResize",
        F,
      );
      const { pool, vol } = volOf(state, ref);
      const shrink = (flags & E.STORAGE_VOL_RESIZE_SHRINK) !== 0;
      const size = flags & E.STORAGE_VOL_RESIZE_DELTA
        ? (shrink ? vol.capacity - Math.min(capacity, vol.capacity) : vol.capacity + capacity)
        : capacity;
      if (size < vol.allocation) {
        throw VirError.report(F, "INVALID_ARG", "can't shrink capacity below existing allocation");
      }
      if (size < vol.capacity && !shrink) {
        throw VirError.report(
          F,
          "INVALID_ARG",
          "Can't shrink capacity below current capacity unless shrink flag explicitly specified",
        );
      }
      const delta = flags & E.STORAGE_VOL_RESIZE_ALLOCATE ? size - vol.allocation : 0;
      if (delta > pool.def.available) {
        throw VirError.report(F, "OPERATION_FAILED", "Not enough space left in storage pool");
      }
      const allocate = (flags & E.STORAGE_VOL_RESIZE_ALLOCATE) !== 0;
      await resizeVol(vol, size, shrink, allocate);
      vol.capacity = size;
      if (allocate) {
        vol.allocation = size;
        account(pool, delta);
      }
    },
  });

  async function wipe(ref: StorageVolRef, algorithm: number, flags: number): Promise<void> {
    checkFlags(flags, 0, "storageVolWipePattern", F);
    if (algorithm >= WIPE_ALG_LAST) {
      throw VirError.report(F, "INVALID_ARG", `wiping algorithm ${algorithm} not supported`);
    }
    const { vol } = volOf(state, ref);
    await wipeVol(vol, algorithm);
    await refreshVol(vol);
  }
}

/** `virStorageVolInfo` of a freshly probed volume. */
function info({ vol }: { vol: StorageVolDef }, flags: number) {
  return {
    type: vol.type === "dir" ? E.STORAGE_VOL_DIR : E.STORAGE_VOL_FILE,
    capacity: vol.capacity,
    allocation: flags & E.STORAGE_VOL_GET_PHYSICAL ? vol.physical ?? 0 : vol.allocation,
  };
}
