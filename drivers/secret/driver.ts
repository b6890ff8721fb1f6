/**
 * The host's secret driver as a shared secondary driver (libvirt's `secretStateInitialize`
 * plus `secretDriver`): one state per config directory for every connection that opens it.
 *
 * @module
 */
import type { SecondaryConnection, SecondaryDriver } from "../../util/contract/compose.ts";
import { driverPaths } from "../../util/driver_paths.ts";
import { SharedStates } from "../../util/shared_state.ts";
import { secretInternalValue, secretMethods } from "./secret_api.ts";
import { SecretState } from "./state.ts";

const states = new SharedStates<SecretState>();

/**
 * The secret secondary driver.
 *
 * @example
 * ```ts
 * import { secretDriver } from "./driver.ts";
 * const dir = await Deno.makeTempDir();
 * const conn = await secretDriver.open(new URL(`qemu:///embed?root=${dir}`), {});
 * console.log(await conn.connectNumOfSecrets?.()); // 0
 * await conn.connectClose();
 * ```
 */
export const secretDriver: SecondaryDriver = {
  name: "secret",
  family: "secret",
  async open(uri, options): Promise<SecondaryConnection> {
    const paths = driverPaths(uri, options, "secrets");
    const ref = await states.acquire(paths.configDir, async () => {
      const state = new SecretState(paths);
      await state.load();
      return state;
    }, () => Promise.resolve());
    const state = ref.state;
    return {
      ...state.queue.wrap({ ...secretMethods(state), ...secretInternalValue(state) }),
      connectClose: () => ref.release(),
      subscribe: (listener) => state.events.on(listener),
    };
  },
};
