/**
 * The pool operations that differ by pool type (libvirt's `virStorageBackend` table for `dir`
 * and `fs`): whether a pool is running, build, start and stop. Refresh, delete and every
 * volume operation are the directory ones for both.
 *
 * @module
 */
import type { StoragePoolDef } from "../../conf/storage_pool/mod.ts";
import { buildPool, checkPool } from "./dir_backend.ts";
import { isMounted, makeFileSystem, mountPool, sourceDevice, unmountPool } from "./fs_backend.ts";

/**
 * `backend->checkPool`: a `dir` pool runs when its directory exists, an `fs` pool when its
 * device is mounted on it.
 *
 * @example
 * ```ts
 * import { isRunning } from "./pool_backend.ts";
 * declare const def: import("../../conf/storage_pool/mod.ts").StoragePoolDef;
 * await isRunning(def);
 * ```
 */
export async function isRunning(def: StoragePoolDef): Promise<boolean> {
  if (def.type !== "fs") return await checkPool(def);
  sourceDevice(def);
  return await isMounted(def);
}

/**
 * `virStorageBackendFileSystemBuild` (both types): the target directory, then with a flag the
 * file system on the source device (a `dir` pool has none, so libvirt refuses the flags).
 *
 * @example
 * ```ts
 * import { build } from "./pool_backend.ts";
 * declare const def: import("../../conf/storage_pool/mod.ts").StoragePoolDef;
 * await build(def, 0);
 * ```
 */
export async function build(def: StoragePoolDef, flags: number): Promise<void> {
  await buildPool(def);
  if (flags) await makeFileSystem(def, flags);
}

/**
 * `backend->startPool`: mounts an `fs` pool.
 *
 * @example
 * ```ts
 * import { start } from "./pool_backend.ts";
 * declare const def: import("../../conf/storage_pool/mod.ts").StoragePoolDef;
 * await start(def);
 * ```
 */
export async function start(def: StoragePoolDef): Promise<void> {
  if (def.type === "fs") await mountPool(def);
}

/**
 * `backend->stopPool`: unmounts an `fs` pool.
 *
 * @example
 * ```ts
 * import { stop } from "./pool_backend.ts";
 * declare const def: import("../../conf/storage_pool/mod.ts").StoragePoolDef;
 * await stop(def);
 * ```
 */
export async function stop(def: StoragePoolDef): Promise<void> {
  if (def.type === "fs") await unmountPool(def);
}
