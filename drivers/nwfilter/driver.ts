/**
 * The host's nwfilter driver as a shared secondary driver (libvirt's `nwfilterStateInitialize`
 * plus `nwfilterDriver`): one state per config directory for every connection that opens it,
 * privileged unless the URI is a session's.
 *
 * @module
 */
import type { SecondaryConnection, SecondaryDriver } from "../../util/contract/compose.ts";
import { driverPaths } from "../../util/driver_paths.ts";
import { SharedStates } from "../../util/shared_state.ts";
import { buildAll } from "./build.ts";
import { nwfilterMethods } from "./nwfilter_api.ts";
import { type NWFilterHost, NWFilterState, SYSFS_HOST } from "./state.ts";

const states = new SharedStates<NWFilterState>();

/**
 * The nwfilter secondary driver. The `nwfilterHost` connect option replaces the host's device
 * lookup (tests).
 *
 * @example
 * ```ts
 * import { nwfilterDriver } from "./driver.ts";
 * const dir = await Deno.makeTempDir();
 * const conn = await nwfilterDriver.open(new URL(`qemu:///embed?root=${dir}`), {});
 * console.log(await conn.connectNumOfNWFilters?.()); // 24: libvirt's built-in filters
 * await conn.connectClose();
 * ```
 */
export const nwfilterDriver: SecondaryDriver = {
  name: "nwfilter",
  family: "nwfilter",
  async open(uri, options): Promise<SecondaryConnection> {
    const paths = driverPaths(uri, options, "nwfilter");
    const privileged = uri.pathname !== "/session";
    const host = (options.nwfilterHost as NWFilterHost | undefined) ?? SYSFS_HOST;
    const ref = await states.acquire(`${privileged}:${paths.configDir}`, async () => {
      const state = new NWFilterState(paths, privileged, host);
      await state.load();
      // nwfilterStateInitialize: the bindings of an earlier run are put on their devices again.
      if (privileged) await buildAll(state);
      return state;
    }, () => Promise.resolve());
    return {
      ...ref.state.queue.wrap(nwfilterMethods(ref.state)),
      connectClose: () => ref.release(),
    };
  },
};
