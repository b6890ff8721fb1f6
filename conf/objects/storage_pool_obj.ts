/**
 * libvirt's `virStoragePoolObj` and `virStoragePoolObjList` (src/conf/virstorageobj.c): a pool
 * with its volumes (`virStorageVolObjList`, by name and, for lookups across pools, by key and
 * path), the duplicate and source-conflict rules of `virStoragePoolObjListAdd` and the filters
 * of `virStoragePoolObjListExport`.
 *
 * @module
 */
import type { StoragePoolDef } from "../storage_pool/model.ts";
import { POOL_TYPES, type PoolType } from "../storage_pool/pool_types.ts";
import type { StorageVolDef } from "../storage_vol/model.ts";
import type { DriverEvent, StoragePoolRef, StorageVolRef } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import { KeyedTable } from "./keyed_table.ts";
import { pairFilter } from "./list_filter.ts";
import { UUIDObjList } from "./uuid_obj_list.ts";

const E = VIR;

/** A pool's volumes by name, key and path. */
export type VolumeTable = KeyedTable<StorageVolDef, "name" | "key" | "path">;

/** A storage pool (`virStoragePoolObj`) with its volumes. */
export interface PoolObj {
  def: StoragePoolDef;
  active: boolean;
  /** libvirt's "has a config file": defined pools, not pools made by createXML. */
  persistent: boolean;
  autostart: boolean;
  volumes: VolumeTable;
}

/**
 * The handle of a pool (`virGetStoragePool`).
 *
 * @example
 * ```ts
 * import { poolRef } from "./storage_pool_obj.ts";
 * declare const obj: import("./storage_pool_obj.ts").PoolObj;
 * poolRef(obj).name;
 * ```
 */
export function poolRef(obj: PoolObj): StoragePoolRef {
  return { name: obj.def.name, uuid: obj.def.uuid };
}

/**
 * The handle of a volume (`virGetStorageVol`): pool name, volume name and key.
 *
 * @example
 * ```ts
 * import { volRef } from "./storage_pool_obj.ts";
 * declare const obj: import("./storage_pool_obj.ts").PoolObj;
 * volRef(obj, [...obj.volumes][0]).key;
 * ```
 */
export function volRef(pool: PoolObj, vol: StorageVolDef): StorageVolRef {
  return { pool: pool.def.name, name: vol.name, key: vol.key ?? "" };
}

/**
 * A storage pool lifecycle event (`VIR_STORAGE_POOL_EVENT_*`), or the refresh event when
 * `event` is omitted (`virStoragePoolEventLifecycleNew`, `…RefreshNew`).
 *
 * @example
 * ```ts
 * import { poolEvent } from "./storage_pool_obj.ts";
 * poolEvent({ name: "p", uuid: "dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566" }, 2).eventId; // 0
 * ```
 */
export function poolEvent(ref: StoragePoolRef, event?: number): DriverEvent {
  return {
    family: "storage_pool",
    eventId: event === undefined
      ? E.STORAGE_POOL_EVENT_ID_REFRESH
      : E.STORAGE_POOL_EVENT_ID_LIFECYCLE,
    ref: { name: ref.name, uuid: ref.uuid },
    data: event === undefined ? {} : { event, detail: 0 },
  };
}

/** The `VIR_CONNECT_LIST_STORAGE_POOLS_<TYPE>` bit of each pool type. */
function typeFlag(type: PoolType): number {
  return (E as Record<string, number>)[
    "CONNECT_LIST_STORAGE_POOLS_" + type.toUpperCase().replace("-", "_")
  ];
}

const TYPE_FILTERS = POOL_TYPES.reduce((n, t) => n | typeFlag(t), 0);

/** Every filter `connectListAllStoragePools` accepts. */
export const POOL_LIST_FILTERS_ALL = E.CONNECT_LIST_STORAGE_POOLS_ACTIVE |
  E.CONNECT_LIST_STORAGE_POOLS_INACTIVE | E.CONNECT_LIST_STORAGE_POOLS_PERSISTENT |
  E.CONNECT_LIST_STORAGE_POOLS_TRANSIENT | E.CONNECT_LIST_STORAGE_POOLS_AUTOSTART |
  E.CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART | TYPE_FILTERS;

/** Pool types whose source is a list of block devices (one device may serve only one pool). */
const DEVICE_POOLS = new Set(["fs", "logical", "disk", "zfs"]);

/** `virStoragePoolObjSourceFindDuplicateCb`: whether two pools claim the same storage. */
function sameSource(a: StoragePoolDef, b: StoragePoolDef): boolean {
  if (DEVICE_POOLS.has(a.type) && DEVICE_POOLS.has(b.type)) {
    const paths = new Set(a.source.devices.map((d) => d.path));
    return b.source.devices.some((d) => paths.has(d.path));
  }
  if (a.type !== b.type) return false;
  switch (a.type) {
    case "dir":
      return a.target.path === b.target.path;
    case "netfs":
    case "gluster":
      return a.source.dir === b.source.dir && a.source.name === b.source.name &&
        a.source.hosts[0]?.name === b.source.hosts[0]?.name;
    default:
      return false;
  }
}

/**
 * A driver's storage pools by UUID and name.
 *
 * @example
 * ```ts
 * import { StoragePoolObjList } from "./storage_pool_obj.ts";
 * declare const def: import("../storage_pool/model.ts").StoragePoolDef;
 * const pools = new StoragePoolObjList();
 * pools.addDef(def, false).active; // false
 * ```
 */
export class StoragePoolObjList extends UUIDObjList<PoolObj> {
  /**
   * `virStoragePoolObjListAdd`: refuses a pool whose storage another pool already uses, or
   * whose name/UUID clashes with another pool; returns the existing object (with the new
   * definition unless it is active) or a new inactive, transient one. `checkLive` refuses an
   * active pool.
   */
  addDef(def: StoragePoolDef, checkLive: boolean): PoolObj {
    const clash = this.find((p) => p.def.name !== def.name && sameSource(p.def, def));
    if (clash) {
      throw VirError.report(
        "STORAGE",
        "OPERATION_FAILED",
        `Storage source conflict with pool: '${clash.def.name}'`,
      );
    }
    const same = this.sameUUID(def, "pool", "STORAGE", checkLive);
    if (same) {
      // libvirt parks the definition of an active pool as newDef, which no driver here ever
      // applies: only an inactive pool really takes the new definition.
      if (!same.active) same.def = def;
      return same;
    }
    return this.add({
      def,
      active: false,
      persistent: false,
      autostart: false,
      volumes: new KeyedTable({
        name: (v: StorageVolDef) => v.name,
        key: (v: StorageVolDef) => v.key,
        path: (v: StorageVolDef) => v.target.path,
      }),
    });
  }

  /**
   * `virStoragePoolObjListExport`: the pools matching the `VIR_CONNECT_LIST_STORAGE_POOLS_*`
   * filters.
   */
  export(flags: number): PoolObj[] {
    const pair = (yes: number, no: number, v: boolean) => pairFilter(flags, yes, no, v);
    return this.filter((p) =>
      pair(E.CONNECT_LIST_STORAGE_POOLS_ACTIVE, E.CONNECT_LIST_STORAGE_POOLS_INACTIVE, p.active) &&
      pair(
        E.CONNECT_LIST_STORAGE_POOLS_PERSISTENT,
        E.CONNECT_LIST_STORAGE_POOLS_TRANSIENT,
        p.persistent,
      ) &&
      pair(
        E.CONNECT_LIST_STORAGE_POOLS_AUTOSTART,
        E.CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART,
        p.autostart,
      ) &&
      (!(flags & TYPE_FILTERS) || (flags & typeFlag(p.def.type)) !== 0)
    );
  }

  /**
   * `virStoragePoolObjListSearch` for a volume key or path: the volume with it in the first
   * active pool that has one, with its pool.
   */
  searchVolume(
    index: "key" | "path",
    value: string,
  ): { pool: PoolObj; vol: StorageVolDef } | undefined {
    for (const pool of this) {
      const vol = pool.active ? pool.volumes.get(index, value) : undefined;
      if (vol) return { pool, vol };
    }
    return undefined;
  }
}
