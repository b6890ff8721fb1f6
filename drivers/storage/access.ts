/**
 * Finding the storage driver's pools and volumes with libvirt's errors
 * (`storagePoolObjFindByUUID`, `…ByName`, `virStorageVolDefFromVol`).
 *
 * @module
 */
import type { StoragePoolRef, StorageVolRef } from "../../util/driver.ts";
import { VirError } from "../../util/errors.ts";
import { orNotFound } from "../../conf/objects/not_found.ts";
import type { PoolObj } from "../../conf/objects/storage_pool_obj.ts";
import type { StorageVolDef } from "../../conf/storage_vol/mod.ts";
import type { StorageState } from "./state.ts";

const F = "STORAGE";

/**
 * A pool by name (`storagePoolObjFindByName`: "no storage pool with matching name 'x'") or by
 * handle (`storagePoolObjFindByUUID`: "no storage pool with matching uuid 'U' (NAME)").
 *
 * @example
 * ```ts
 * import { poolOf } from "./access.ts";
 * declare const state: import("./state.ts").StorageState;
 * poolOf(state, "default");
 * poolOf(state, { name: "p", uuid: "dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566" });
 * ```
 */
export function poolOf(state: StorageState, pool: StoragePoolRef | string): PoolObj {
  const byName = typeof pool === "string";
  const obj = byName ? state.pools.findByName(pool) : state.pools.findByUUID(pool.uuid);
  if (obj) return obj;
  throw VirError.report(
    F,
    "NO_STORAGE_POOL",
    byName
      ? `no storage pool with matching name '${pool}'`
      : `no storage pool with matching uuid '${pool.uuid}' (${pool.name})`,
  );
}

/**
 * The pool, refused with libvirt's "storage pool 'x' is not active" (`active` true) or "…is
 * already active"/"…is still active" (`active` false, `why` picks the wording).
 *
 * @example
 * ```ts
 * import { poolInState } from "./access.ts";
 * declare const obj: import("../../conf/objects/storage_pool_obj.ts").PoolObj;
 * poolInState(obj, true);
 * ```
 */
export function poolInState(obj: PoolObj, active: boolean, why = "already"): PoolObj {
  if (obj.active !== active) {
    throw VirError.report(
      F,
      "OPERATION_INVALID",
      `storage pool '${obj.def.name}' is ${active ? "not" : why} active`,
    );
  }
  return obj;
}

/**
 * `virStorageVolDefFromVol`: the volume's pool (by name, running) and its definition.
 *
 * @example
 * ```ts
 * import { volOf } from "./access.ts";
 * declare const state: import("./state.ts").StorageState;
 * volOf(state, { pool: "p", name: "a.img", key: "/p/a.img" });
 * ```
 */
export function volOf(
  state: StorageState,
  ref: StorageVolRef,
): { pool: PoolObj; vol: StorageVolDef } {
  const pool = poolInState(poolOf(state, ref.pool), true);
  return { pool, vol: volByName(pool, ref.name) };
}

/**
 * `virStorageVolDefFindByName` or "no storage vol with matching name".
 *
 * @example
 * ```ts
 * import { volByName } from "./access.ts";
 * declare const pool: import("../../conf/objects/storage_pool_obj.ts").PoolObj;
 * volByName(pool, "a.img");
 * ```
 */
export function volByName(pool: PoolObj, name: string): StorageVolDef {
  return orNotFound(
    pool.volumes.get("name", name),
    F,
    "NO_STORAGE_VOL",
    `no storage vol with matching name '${name}'`,
  );
}
