/**
 * Finding storage pools and volumes of a test driver state and announcing pool events:
 * libvirt's `testStoragePoolObjFind*ByName`, `testStorageVolDefFindByName` and
 * `virStoragePoolEventLifecycleNew`.
 *
 * @module
 */
import type { StoragePoolRef } from "../../util/driver.ts";
import { VirError } from "../../util/errors.ts";
import { orNotFound } from "../../conf/objects/not_found.ts";
import { poolEvent, type PoolObj } from "../../conf/objects/storage_pool_obj.ts";
import type { StorageVolDef } from "./conf_adapters.ts";
import type { TestDriverState } from "./driver_state.ts";

const F = "TEST";

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
    state.pools.findByName(name),
    F,
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
    state.pools.findByUUID(uuid),
    F,
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
      F,
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
 * declare const pool: import("../../conf/objects/storage_pool_obj.ts").PoolObj;
 * volByName(pool, "v1.img").capacity;
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
  state.emit(poolEvent(ref, event));
}
