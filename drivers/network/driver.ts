/**
 * The host's network driver as a shared secondary driver (libvirt's `networkStateInitialize`
 * plus `networkDriver`): one state per config directory for every connection that opens it.
 * On first open the persistent networks are loaded, the networks that were running are taken
 * back when their bridge still exists (else cleaned up), and, once per boot (a marker in the
 * state directory, as `virDriverShouldAutostart`), the autostart networks are started.
 *
 * The host commands go through the {@link HostRunner} given as the `networkRunner` open option
 * (tests pass a fake one, or one bound to a network namespace); without it they run on the
 * caller's network namespace.
 *
 * @module
 */
import type { SecondaryConnection, SecondaryDriver } from "../../util/contract/compose.ts";
import { SharedStates } from "../../util/shared_state.ts";
import { adoptDnsmasq } from "./dnsmasq.ts";
import { startNetwork } from "./lifecycle.ts";
import { deviceExists } from "./netdev.ts";
import { networkMethods } from "./network_api.ts";
import { networkPaths } from "./paths.ts";
import { portMethods } from "./port_api.ts";
import { type HostRunner, hostRunner } from "./runner.ts";
import { removeIfExists } from "../../util/config_files.ts";
import { NetworkState } from "./state.ts";

const states = new SharedStates<NetworkState>();

/** `networkUpdateState` for each network that was running, then the autostart networks. */
async function loadState(state: NetworkState): Promise<NetworkState> {
  for (const obj of await state.load()) {
    const bridge = obj.def.bridge.name;
    const makesBridge = ["none", "nat", "route", "open"].includes(obj.def.forward.mode);
    if (makesBridge && !(bridge && await deviceExists(state.runner, bridge))) {
      obj.active = false;
      delete obj.def.connections;
      if (obj.newDef) [obj.def, obj.newDef] = [obj.newDef, undefined];
      await removeIfExists(state.statusFile(obj.def.name));
      await state.deleteAllPorts(obj);
      if (!obj.persistent) state.forget(obj);
      continue;
    }
    await adoptDnsmasq(state, obj);
  }
  const marker = `${state.paths.stateDir}/autostarted`;
  try {
    await Deno.mkdir(state.paths.stateDir, { recursive: true });
    await Deno.writeTextFile(marker, "", { createNew: true });
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) return state;
    throw e;
  }
  for (const obj of state.networks.filter((o) => o.autostart && !o.active)) {
    try {
      await startNetwork(state, obj);
    } catch {
      // libvirt logs "Failed to autostart network" and goes on with the others.
    }
  }
  return state;
}

/**
 * The network secondary driver.
 *
 * @example
 * ```ts
 * import { networkDriver } from "./driver.ts";
 * const dir = await Deno.makeTempDir();
 * const conn = await networkDriver.open(new URL(`qemu:///embed?root=${dir}`), {});
 * console.log(await conn.connectNumOfNetworks?.()); // 0
 * await conn.connectClose();
 * ```
 */
export const networkDriver: SecondaryDriver = {
  name: "bridge",
  family: "network",
  async open(uri, options): Promise<SecondaryConnection> {
    const paths = networkPaths(uri, options);
    const runner = (options.networkRunner as HostRunner | undefined) ?? hostRunner();
    const ref = await states.acquire(
      paths.configDir,
      () => loadState(new NetworkState(paths, runner)),
      () => Promise.resolve(),
    );
    const state = ref.state;
    return {
      ...state.queue.wrap({ ...networkMethods(state), ...portMethods(state) }),
      connectClose: () => ref.release(),
      subscribe: (listener) => state.events.on(listener),
    };
  },
};
