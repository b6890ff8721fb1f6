/**
 * Finding storage pools and volumes of a test driver state and announcing pool events:
 * libvirt's `testStoragePoolObjFind*ByName`, `testStorageVolDefFindByName`, the duplicate
 * rules of `virStoragePoolObjListAdd` and `virStoragePoolEventLifecycleNew`.
 *
 * @module
 */
import type { StoragePoolRef, StorageVolRef } from "../../util/driver.ts";
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import type { StoragePoolDef, StorageVolDef } from "./conf_adapters.ts";
import { newVolumeTable, type PoolObj, type TestDriverState } from "./driver_state.ts";
import { orNotFound } from "./object_lookup.ts";
import { parseUUID } from "../../util/uuid.ts";

/**
 * The handle of a pool (`virGetStoragePool`).
 *
 * @example
 * ```ts
 * import { poolRef } from "./storage_access.ts";
 * declare const obj: import("./driver_state.ts").PoolObj;
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
 * import { volRef } from "./storage_access.ts";
 * declare const obj: import("./driver_state.ts").PoolObj;
 * volRef(obj, [...obj.volumes][0]).key;
 * ```
 */
export function volRef(pool: PoolObj, vol: StorageVolDef): StorageVolRef {
  return { pool: pool.def.name, name: vol.name, key: vol.key ?? "" };
}

/**
 * `testStoragePoolObjFindByName`.
 *
 * @example
 * ```ts
 * import { poolByName } from "./storage_access.ts";
 * declare const state: import("./driver_state.ts").TestDriverState;
 * poolByName(state, "default-pool");
 * ```
 */
export function poolByName(state: TestDriverState, name: string): PoolObj {
  return orNotFound(
    state.pools.get("name", name),
    "NO_STORAGE_POOL",
    `no storage pool with matching name '${name}'`,
  );
}

/**
 * `testStoragePoolObjFindByUUID`.
 *
 * @example
 * ```ts
 * import { poolByUUID } from "./storage_access.ts";
 * declare const state: import("./driver_state.ts").TestDriverState;
 * poolByUUID(state, "dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566");
 * ```
 */
export function poolByUUID(state: TestDriverState, uuid: string): PoolObj {
  return orNotFound(
    state.pools.get("uuid", parseUUID(uuid)),
    "NO_STORAGE_POOL",
    `no storage pool with matching uuid '${uuid.toLowerCase()}'`,
  );
}

/**
 * `testStoragePoolObjFindActiveByName` (`active` true) or `…InactiveByName` (false): the
 * pool, or 55 "storage pool 'x' is not active" / "is active".
 *
 * @example
 * ```ts
 * import { poolInState } from "./storage_access.ts";
 * declare const state: import("./driver_state.ts").TestDriverState;
 * poolInState(state, "default-pool", true).volumes;
 * ```
 */
export function poolInState(state: TestDriverState, name: string, active: boolean): PoolObj {
  const obj = poolByName(state, name);
  if (obj.active !== active) {
    throw VirError.report(
      "TEST",
      "OPERATION_INVALID",
      `storage pool '${name}' is ${active ? "not " : ""}active`,
    );
  }
  return obj;
}

/**
 * `testStorageVolDefFindByName`.
 *
 * @example
 * ```ts
 * import { volByName } from "./storage_access.ts";
 * declare const pool: import("./driver_state.ts").PoolObj;
 * volByName(pool, "v1.img").capacity;
 * ```
 */
export function volByName(pool: PoolObj, name: string): StorageVolDef {
  return orNotFound(
    pool.volumes.get("name", name),
    "NO_STORAGE_VOL",
    `no storage vol with matching name '${name}'`,
  );
}

/**
 * Queues a storage pool lifecycle event (`VIR_STORAGE_POOL_EVENT_*`), or the refresh event
 * when `event` is omitted.
 *
 * @example
 * ```ts
 * import { emitPoolEvent } from "./storage_access.ts";
 * import { VIR } from "../../util/constants.ts";
 * declare const state: import("./driver_state.ts").TestDriverState;
 * emitPoolEvent(state, { name: "p", uuid: "…" }, VIR.STORAGE_POOL_EVENT_STARTED);
 * ```
 */
export function emitPoolEvent(state: TestDriverState, ref: StoragePoolRef, event?: number): void {
  state.emit({
    family: "storage_pool",
    eventId: event === undefined
      ? VIR.STORAGE_POOL_EVENT_ID_REFRESH
      : VIR.STORAGE_POOL_EVENT_ID_LIFECYCLE,
    ref: { name: ref.name, uuid: ref.uuid },
    data: event === undefined ? {} : { event, detail: 0 },
  });
}

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
 * `virStoragePoolObjListAdd`: refuses a pool whose storage another pool already uses, or whose
 * name/UUID clashes with another pool; returns the existing object (with the new definition
 * unless it is active) or a new inactive, transient one.
 *
 * @example
 * ```ts
 * import { addPool } from "./storage_access.ts";
 * declare const state: import("./driver_state.ts").TestDriverState;
 * declare const def: import("./conf_adapters.ts").StoragePoolDef;
 * const obj = addPool(state, def, false);
 * ```
 */
export function addPool(state: TestDriverState, def: StoragePoolDef, checkLive: boolean): PoolObj {
  const clash = state.pools.find((p) => p.def.name !== def.name && sameSource(p.def, def));
  if (clash) {
    throw VirError.report(
      "STORAGE",
      "OPERATION_FAILED",
      `Storage source conflict with pool: '${clash.def.name}'`,
    );
  }
  const same = state.pools.get("uuid", def.uuid);
  if (same) {
    if (same.def.name !== def.name) {
      throw VirError.report(
        "STORAGE",
        "OPERATION_FAILED",
        `pool '${same.def.name}' is already defined with uuid ${same.def.uuid}`,
      );
    }
    if (checkLive && same.active) {
      throw VirError.report(
        "STORAGE",
        "OPERATION_INVALID",
        `pool is already active as '${same.def.name}'`,
      );
    }
    // libvirt parks the definition of an active pool as newDef, which the test driver never
    // applies: only an inactive pool really takes the new definition.
    if (!same.active) same.def = def;
    return same;
  }
  const byName = state.pools.get("name", def.name);
  if (byName) {
    throw VirError.report(
      "STORAGE",
      "OPERATION_FAILED",
      `pool '${def.name}' already exists with uuid ${byName.def.uuid}`,
    );
  }
  return state.pools.add({
    def,
    active: false,
    persistent: false,
    autostart: false,
    volumes: newVolumeTable(),
  });
}
