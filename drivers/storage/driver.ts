/**
 * The host's storage driver as a shared secondary driver (libvirt's `storageStateInitialize`
 * plus `virStorageDriver`): one state per config directory for every connection that opens
 * it; on first open the persistent pools are loaded, pools that were running are taken back
 * and autostart pools are started.
 *
 * @module
 */
import type { SecondaryConnection, SecondaryDriver } from "../../util/contract/compose.ts";
import { driverPaths } from "../../util/driver_paths.ts";
import { SharedStates } from "../../util/shared_state.ts";
import { refreshPool } from "./dir_backend.ts";
import { isRunning } from "./pool_backend.ts";
import { checkBackend, startPool, storagePoolMethods } from "./pool_api.ts";
import { StorageState } from "./state.ts";
import { storageVolMethods } from "./vol_api.ts";

const states = new SharedStates<StorageState>();

/** `storageStateInitialize`'s loading: configs, running pools, autostart. */
async function loadState(configDir: string, stateDir: string): Promise<StorageState> {
  const state = new StorageState({ configDir, stateDir });
  const { running, autostart } = await state.load();
  for (const obj of running) {
    try {
      checkBackend(obj.def);
      if (await isRunning(obj.def)) {
        await refreshPool(obj);
        obj.active = true;
        continue;
      }
    } catch {
      // libvirt logs "Failed to restart storage pool" and leaves the pool inactive.
    }
    await state.saveStatus(obj, false);
    if (!obj.persistent) state.pools.delete(obj);
  }
  for (const obj of autostart) {
    try {
      checkBackend(obj.def);
      await startPool(state, obj);
    } catch {
      // libvirt logs "Failed to autostart storage pool" and goes on with the others.
    }
  }
  return state;
}

/**
 * The storage secondary driver (`dir` pools).
 *
 * @example
 * ```ts
 * import { storageDriver } from "./driver.ts";
 * const dir = await Deno.makeTempDir();
 * const conn = await storageDriver.open(new URL(`qemu:///embed?root=${dir}`), {});
 * console.log(await conn.connectNumOfStoragePools?.()); // 0
 * await conn.connectClose();
 * ```
 */
export const storageDriver: SecondaryDriver = {
  name: "storage",
  family: "storage",
  async open(uri, options): Promise<SecondaryConnection> {
    const paths = driverPaths(uri, options, "storage");
    const ref = await states.acquire(
      paths.configDir,
      () => loadState(paths.configDir, paths.stateDir),
      () => Promise.resolve(),
    );
    const state = ref.state;
    return {
      ...state.queue.wrap({ ...storagePoolMethods(state), ...storageVolMethods(state) }),
      connectClose: () => ref.release(),
      subscribe: (listener) => state.events.on(listener),
    };
  },
};
