/**
 * The pool half of libvirt's storage driver (storage_driver.c) for directory pools: listing,
 * lookups, define/create/build/start/destroy/delete/undefine, refresh, info, XML, autostart,
 * with configs, autostart links and state files kept as libvirt keeps them.
 *
 * @module
 */
import type { DriverConnection } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { checkFlags, VirError } from "../../util/errors.ts";
import { methodTable } from "../../util/method_table.ts";
import { generateUUID } from "../../util/uuid.ts";
import { formatPoolCapabilities } from "../../conf/storage_vol/mod.ts";
import {
  POOL_LIST_FILTERS_ALL,
  type PoolObj,
  poolRef,
} from "../../conf/objects/storage_pool_obj.ts";
import {
  formatStoragePoolXML,
  parseStoragePoolXML,
  POOL_TYPES,
  type StoragePoolDef,
} from "../../conf/storage_pool/mod.ts";
import { poolInState, poolOf } from "./access.ts";
import { deletePool, refreshPool } from "./dir_backend.ts";
import { build, start, stop } from "./pool_backend.ts";
import type { StorageState } from "./state.ts";

const F = "STORAGE";
const E = VIR;

/** The pool types this driver has a backend for. */
const BACKENDS = new Set(["dir", "fs"]);

/**
 * `virStorageBackendForType`: refuses a pool type without a backend here.
 *
 * @example
 * ```ts
 * import { checkBackend } from "./pool_api.ts";
 * declare const def: import("../../conf/storage_pool/mod.ts").StoragePoolDef;
 * checkBackend(def);
 * ```
 */
export function checkBackend(def: StoragePoolDef): void {
  if (!BACKENDS.has(def.type)) {
    throw VirError.report(
      F,
      "INTERNAL_ERROR",
      `missing backend for pool type ${POOL_TYPES.indexOf(def.type)} (${def.type})`,
    );
  }
  if (!def.target.path?.startsWith("/")) {
    throw VirError.report(F, "INVALID_ARG", `path '${def.target.path}' is not absolute`);
  }
}

function parseDef(xml: string, flags = 0): StoragePoolDef {
  const def = parseStoragePoolXML(xml, flags);
  checkBackend(def);
  if (!def.uuid) def.uuid = generateUUID();
  return def;
}

/**
 * The build flags `storagePoolCreate*` pass on from its `CREATE_WITH_BUILD*` flags, undefined
 * for no build.
 */
function buildFlags(flags: number): number | undefined {
  if (flags & E.STORAGE_POOL_CREATE_WITH_BUILD_OVERWRITE) return E.STORAGE_POOL_BUILD_OVERWRITE;
  if (flags & E.STORAGE_POOL_CREATE_WITH_BUILD_NO_OVERWRITE) {
    return E.STORAGE_POOL_BUILD_NO_OVERWRITE;
  }
  return flags & E.STORAGE_POOL_CREATE_WITH_BUILD ? 0 : undefined;
}

const CREATE_FLAGS = E.STORAGE_POOL_CREATE_WITH_BUILD |
  E.STORAGE_POOL_CREATE_WITH_BUILD_OVERWRITE | E.STORAGE_POOL_CREATE_WITH_BUILD_NO_OVERWRITE;

/**
 * Starts a pool as `storagePoolCreate` and autostart do: build when asked (`buildWith`: the
 * build flags), start (mount), refresh (a pool whose refresh fails is stopped again), mark it
 * active and record its state file.
 *
 * @example
 * ```ts
 * import { startPool } from "./pool_api.ts";
 * declare const state: import("./state.ts").StorageState;
 * declare const obj: import("../../conf/objects/storage_pool_obj.ts").PoolObj;
 * await startPool(state, obj);
 * ```
 */
export async function startPool(state: StorageState, obj: PoolObj, buildWith?: number) {
  if (buildWith !== undefined) await build(obj.def, buildWith);
  await start(obj.def);
  try {
    await refreshPool(obj);
  } catch (e) {
    await stop(obj.def);
    throw e;
  }
  obj.active = true;
  await state.saveStatus(obj, true);
}

/**
 * Stops a pool: unmounted, its volumes forgotten, its state file removed, a transient one
 * gone.
 */
async function stopPool(state: StorageState, obj: PoolObj): Promise<void> {
  await stop(obj.def);
  obj.active = false;
  obj.volumes.clear();
  await state.saveStatus(obj, false);
  if (!obj.persistent) state.pools.delete(obj);
}

/**
 * The pool calls of one storage driver connection.
 *
 * @example
 * ```ts
 * import { storagePoolMethods } from "./pool_api.ts";
 * import { StorageState } from "./state.ts";
 * storagePoolMethods(new StorageState({ configDir: "/tmp/c", stateDir: "/tmp/s" }));
 * ```
 */
export function storagePoolMethods(state: StorageState): Partial<DriverConnection> {
  const pools = state.pools;
  return methodTable({
    connectNumOfStoragePools: () => pools.names(true).length,
    connectListStoragePools: () => pools.names(true),
    connectNumOfDefinedStoragePools: () => pools.names(false).length,
    connectListDefinedStoragePools: () => pools.names(false),
    connectListAllStoragePools: (flags) => {
      checkFlags(flags, POOL_LIST_FILTERS_ALL, "storageConnectListAllStoragePools", F);
      return (pools.export(flags).map(poolRef));
    },
    connectGetStoragePoolCapabilities: (flags) => {
      checkFlags(flags, 0, "storageConnectGetStoragePoolCapabilities", F);
      return formatPoolCapabilities(BACKENDS);
    },
    connectFindStoragePoolSources: (type, _src, flags) => {
      checkFlags(flags, 0, "storageConnectFindStoragePoolSources", F);
      if (!(POOL_TYPES as readonly string[]).includes(type)) {
        throw VirError.report(F, "INTERNAL_ERROR", `unknown storage pool type ${type}`);
      }
      throw VirError.report(
        F,
        "NO_SUPPORT",
        `pool type '${type}' does not support source discovery`,
      );
    },
    storagePoolLookupByName: (name) => (poolRef(poolOf(state, name))),
    storagePoolLookupByUUID: (uuid) => {
      const obj = pools.findByUUID(uuid);
      if (!obj) {
        throw VirError.report(
          F,
          "NO_STORAGE_POOL",
          `no storage pool with matching uuid '${uuid.toLowerCase()}'`,
        );
      }
      return (poolRef(obj));
    },
    storagePoolLookupByVolume: (vol) => (poolRef(poolOf(state, vol.pool))),
    storagePoolLookupByTargetPath: (path) => {
      const clean = path.replace(/\/+/g, "/").replace(/(.)\/$/, "$1");
      const obj = pools.find((p) => p.active && p.def.target.path === clean);
      if (!obj) {
        throw VirError.report(
          F,
          "NO_STORAGE_POOL",
          `no storage pool with matching target path '${path}'`,
        );
      }
      return (poolRef(obj));
    },
    storagePoolIsActive: (pool) => (poolOf(state, pool).active),
    storagePoolIsPersistent: (pool) => (poolOf(state, pool).persistent),
    storagePoolCreateXML: async (xml, flags) => {
      checkFlags(flags, CREATE_FLAGS, "storagePoolCreateXML", F);
      const obj = pools.addDef(parseDef(xml), true);
      try {
        await startPool(state, obj, buildFlags(flags));
      } catch (e) {
        if (!obj.persistent) pools.delete(obj);
        throw e;
      }
      obj.persistent = false;
      state.emit(poolRef(obj), E.STORAGE_POOL_EVENT_STARTED);
      return poolRef(obj);
    },
    storagePoolDefineXML: async (xml, flags) => {
      checkFlags(flags, E.STORAGE_POOL_DEFINE_VALIDATE, "storagePoolDefineXML", F);
      const def = parseDef(xml, flags);
      const existed = pools.findByUUID(def.uuid);
      const obj = pools.addDef(def, false);
      const wasPersistent = obj.persistent;
      obj.persistent = true;
      try {
        await state.saveConfig(obj);
      } catch (e) {
        if (!existed) pools.delete(obj);
        else obj.persistent = wasPersistent;
        throw e;
      }
      state.emit(poolRef(obj), E.STORAGE_POOL_EVENT_DEFINED);
      return poolRef(obj);
    },
    storagePoolUndefine: async (pool) => {
      const obj = poolInState(poolOf(state, pool), false, "still");
      await state.deleteConfig(obj);
      state.emit(poolRef(obj), E.STORAGE_POOL_EVENT_UNDEFINED);
      pools.delete(obj);
    },
    storagePoolBuild: async (pool, flags) => {
      const obj = poolOf(state, pool);
      poolInState(obj, false);
      checkFlags(
        flags,
        E.STORAGE_POOL_BUILD_OVERWRITE | E.STORAGE_POOL_BUILD_NO_OVERWRITE,
        "virStorageBackendFileSystemBuild",
        F,
      );
      if (
        (flags & E.STORAGE_POOL_BUILD_OVERWRITE) && (flags & E.STORAGE_POOL_BUILD_NO_OVERWRITE)
      ) {
        throw VirError.bare(
          F,
          "INVALID_ARG",
          "Flags 'VIR_STORAGE_POOL_BUILD_OVERWRITE' and 'VIR_STORAGE_POOL_BUILD_NO_OVERWRITE' " +
            "are mutually exclusive",
        );
      }
      await build(obj.def, flags);
      state.emit(poolRef(obj), E.STORAGE_POOL_EVENT_CREATED);
    },
    storagePoolCreate: async (pool, flags) => {
      checkFlags(flags, CREATE_FLAGS, "storagePoolCreate", F);
      const obj = poolInState(poolOf(state, pool), false);
      await startPool(state, obj, buildFlags(flags));
      state.emit(poolRef(obj), E.STORAGE_POOL_EVENT_STARTED);
    },
    storagePoolDestroy: async (pool) => {
      const obj = poolInState(poolOf(state, pool), true);
      await stopPool(state, obj);
      state.emit(poolRef(obj), E.STORAGE_POOL_EVENT_STOPPED);
    },
    storagePoolDelete: async (pool, flags) => {
      const obj = poolInState(poolOf(state, pool), false, "still");
      checkFlags(flags, 0, "virStorageBackendDeleteLocal", F);
      await deletePool(obj.def);
      state.emit(poolRef(obj), E.STORAGE_POOL_EVENT_DELETED);
    },
    storagePoolRefresh: async (pool, flags) => {
      checkFlags(flags, 0, "storagePoolRefresh", F);
      const obj = poolInState(poolOf(state, pool), true);
      try {
        await refreshPool(obj);
      } catch (e) {
        await stopPool(state, obj);
        state.emit(poolRef(obj), E.STORAGE_POOL_EVENT_STOPPED);
        throw e;
      }
      state.emit(poolRef(obj));
    },
    storagePoolGetInfo: (pool) => {
      const { def, active } = poolOf(state, pool);
      return ({
        state: active ? E.STORAGE_POOL_RUNNING : E.STORAGE_POOL_INACTIVE,
        capacity: def.capacity,
        allocation: def.allocation,
        available: def.available,
      });
    },
    storagePoolGetXMLDesc: (pool, flags) => {
      checkFlags(flags, E.STORAGE_XML_INACTIVE, "storagePoolGetXMLDesc", F);
      return (formatStoragePoolXML(poolOf(state, pool).def));
    },
    storagePoolGetAutostart: (pool) => (poolOf(state, pool).autostart),
    storagePoolSetAutostart: async (pool, autostart) => {
      const obj = poolOf(state, pool);
      if (!obj.persistent) throw VirError.report(F, "INTERNAL_ERROR", "pool has no config file");
      if (obj.autostart !== Boolean(autostart)) await state.setAutostart(obj, Boolean(autostart));
    },
    storagePoolNumOfVolumes: (pool) => (poolInState(poolOf(state, pool), true).volumes.size),
    storagePoolListVolumes: (
      pool,
    ) => ([...poolInState(poolOf(state, pool), true).volumes].map((v) => v.name)),
  });
}
