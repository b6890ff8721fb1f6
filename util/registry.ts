import type { ConnectDriver, PeerOpener } from "./driver.ts";
import {
  composeConnection,
  openSecondaries,
  type SecondaryDriver,
  type SecondaryFamily,
  secondaryOpener,
} from "./contract/compose.ts";

/**
 * The connection drivers one process runs in-process, as the table libvirt fills with
 * `virRegisterConnectDriver`, but passed explicitly: to `connect(uri, { drivers })` and to the
 * gateway, so that importing a module never registers anything.
 */
export interface DriverRegistry {
  /** The drivers, in the order they were given. */
  readonly drivers: readonly ConnectDriver[];
  /** The shared secondary drivers (network, storage, …) that drivers sharing them get. */
  readonly secondaries: readonly SecondaryDriver[];
  /** The driver for a URI scheme (`test`, `qemu`), if any. */
  find(scheme: string): ConnectDriver | undefined;
}

/**
 * A registry of the given drivers and shared secondary drivers. For one scheme the later driver
 * wins, as a later `virRegisterConnectDriver` of the same name replaces the earlier one. A driver
 * that shares secondaries opens its connections with the secondary drivers of the families it
 * does not serve composed in, as `virConnectOpen` does. With `openPeer`, every driver opened is
 * given the host's way to open another URI (the destination of a peer-to-peer migration).
 *
 * @example
 * ```ts
 * import { createRegistry } from "./registry.ts";
 * const registry = createRegistry([{
 *   name: "demo",
 *   schemes: ["demo"],
 *   open: () => Promise.resolve({ type: "DEMO", connectClose: () => Promise.resolve() }),
 * }]);
 * console.log(registry.find("demo")?.name); // "demo"
 * ```
 */
export function createRegistry(
  drivers: readonly ConnectDriver[],
  secondaries: readonly SecondaryDriver[] = [],
  openPeer?: PeerOpener,
): DriverRegistry {
  const shared = Object.freeze([...secondaries]);
  const list = Object.freeze(
    drivers.map((d) => withPeers(withSecondaries(d, shared), openPeer)),
  );
  return {
    drivers: list,
    secondaries: shared,
    find: (scheme) => list.findLast((d) => d.schemes.includes(scheme)),
  };
}

function withPeers(driver: ConnectDriver, openPeer: PeerOpener | undefined): ConnectDriver {
  if (!openPeer) return driver;
  return { ...driver, open: (uri, options) => driver.open(uri, { openPeer, ...options }) };
}

function withSecondaries(
  driver: ConnectDriver,
  secondaries: readonly SecondaryDriver[],
): ConnectDriver {
  if (!driver.sharesSecondaries || !secondaries.length) return driver;
  return {
    ...driver,
    async open(uri, options) {
      const hypervisor = await driver.open(uri, {
        ...options,
        secondaries: secondaryOpener(secondaries, uri, options),
      });
      try {
        return composeConnection(
          hypervisor,
          await openSecondaries(hypervisor, secondaries, uri, options),
        );
      } catch (e) {
        await hypervisor.connectClose();
        throw e;
      }
    },
  };
}

/**
 * A driver whose code loads on first open, so that a process that never opens its URIs never
 * pays for loading it (evsh talking to the session daemon loads no QEMU driver code).
 *
 * @example
 * ```ts
 * import { lazyDriver } from "./registry.ts";
 * const test = lazyDriver("test", ["test"], async () =>
 *   (await import("../drivers/simulator/mod.ts")).testConnectDriver);
 * console.log(test.schemes); // ["test"]
 * ```
 */
export function lazyDriver(
  name: string,
  schemes: string[],
  load: () => Promise<ConnectDriver>,
  sharesSecondaries?: boolean,
): ConnectDriver {
  let loaded: Promise<ConnectDriver> | undefined;
  return {
    name,
    schemes,
    sharesSecondaries,
    async open(uri, options) {
      loaded ??= load();
      return await (await loaded).open(uri, options);
    },
  };
}

/**
 * A secondary driver whose code loads on first open, as {@link lazyDriver} for connection
 * drivers: a process that never opens a `qemu:` connection never loads the storage code.
 *
 * @example
 * ```ts
 * import { lazySecondary } from "./registry.ts";
 * const storage = lazySecondary("storage", "storage", async () =>
 *   (await import("../drivers/storage/mod.ts")).storageDriver);
 * console.log(storage.family); // "storage"
 * ```
 */
export function lazySecondary(
  name: string,
  family: SecondaryFamily,
  load: () => Promise<SecondaryDriver>,
): SecondaryDriver {
  let loaded: Promise<SecondaryDriver> | undefined;
  return {
    name,
    family,
    async open(uri, options) {
      loaded ??= load();
      return await (await loaded).open(uri, options);
    },
  };
}
