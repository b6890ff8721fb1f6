/**
 * A connection as libvirt's `virConnectOpen` builds it: one hypervisor driver plus, for every
 * secondary family (network, storage, node device, interface, secret) the hypervisor driver
 * does not serve itself, the shared secondary driver of that family. The test driver serves
 * every family itself, as libvirt's does; the QEMU driver serves only the hypervisor family and
 * gets the host's network and storage drivers beside it.
 *
 * @module
 */
import type { DriverEvent } from "./types.ts";
import {
  type ConnectionBase,
  type DriverConnection,
  FAMILIES,
  type FamilyName,
} from "./contract.ts";

/** The secondary families: everything but the hypervisor's own. */
export type SecondaryFamily = Exclude<FamilyName, "hypervisor">;

/** An open secondary driver: some calls of its family, and how to close and listen. */
export type SecondaryConnection = Partial<DriverConnection> & {
  /** Releases the driver's resources for this connection. */
  connectClose(): Promise<void>;
  /** Listen for this driver's events (network, pool, … lifecycle). */
  subscribe?(listener: (ev: DriverEvent) => void): () => void;
};

/**
 * A secondary driver as libvirt registers one with `virSetSharedNetworkDriver` and friends:
 * the family it serves and how it opens for a connection's URI.
 */
export interface SecondaryDriver {
  /** A name for diagnostics (`bridge`, `storage-dir`). */
  readonly name: string;
  /** The family it serves. */
  readonly family: SecondaryFamily;
  /** Opens it for the connection being built; rejects with a VirError when it cannot. */
  open(uri: URL, options: Record<string, unknown>): Promise<SecondaryConnection>;
}

/**
 * How a hypervisor driver reaches the host's shared secondary drivers for its own needs, as
 * libvirt's `virGetConnectNetwork()`/`virGetConnectStorage()`/`virGetConnectSecret()`: a QEMU
 * domain's `<interface type='network'>` becomes a port of the network driver, a
 * `<source pool volume>` disk a path of the storage driver. Each call opens a new connection of
 * that family's driver (the caller closes it), or gives `undefined` when the host has none.
 */
export type SecondaryOpener = (family: SecondaryFamily) => Promise<SecondaryConnection | undefined>;

/**
 * The {@link SecondaryOpener} over some secondary drivers, opening them for `uri` and `options`.
 *
 * @example
 * ```ts
 * import { secondaryOpener } from "./compose.ts";
 * const open = secondaryOpener([], new URL("demo:///"), {});
 * console.log(await open("network")); // undefined
 * ```
 */
export function secondaryOpener(
  drivers: readonly SecondaryDriver[],
  uri: URL,
  options: Record<string, unknown>,
): SecondaryOpener {
  return async (family) => await drivers.find((d) => d.family === family)?.open(uri, options);
}

/** Whether `conn` implements any call of `family` (then it serves that family itself). */
export function serves(conn: Partial<DriverConnection>, family: FamilyName): boolean {
  const c = conn as Record<string, unknown>;
  return Object.keys(FAMILIES[family].calls).some((m) => typeof c[m] === "function");
}

/**
 * Opens the secondary drivers a hypervisor connection needs: for each family it does not serve,
 * the first registered driver of that family. A family without one stays empty (its calls are
 * then `VIR_ERR_NO_SUPPORT`, as in libvirt without the daemon module).
 *
 * @example
 * ```ts
 * import { openSecondaries } from "./compose.ts";
 * const hv = { type: "DEMO", connectClose: () => Promise.resolve() };
 * await openSecondaries(hv, [], new URL("demo:///"), {}); // {}
 * ```
 */
export async function openSecondaries(
  hypervisor: DriverConnection,
  drivers: readonly SecondaryDriver[],
  uri: URL,
  options: Record<string, unknown>,
): Promise<Partial<Record<SecondaryFamily, SecondaryConnection>>> {
  const out: Partial<Record<SecondaryFamily, SecondaryConnection>> = {};
  try {
    for (const family of Object.keys(FAMILIES) as FamilyName[]) {
      if (family === "hypervisor" || serves(hypervisor, family)) continue;
      const driver = drivers.find((d) => d.family === family);
      if (driver) out[family] = await driver.open(uri, options);
    }
  } catch (e) {
    await Promise.allSettled(Object.values(out).map((s) => s.connectClose()));
    throw e;
  }
  return out;
}

/**
 * One connection from a hypervisor connection and its secondary drivers: each family's calls go
 * to the hypervisor when it serves the family, else to that family's secondary driver. Closing
 * closes every part; listeners hear every part's events. With no secondaries the hypervisor
 * connection itself is returned.
 *
 * @example
 * ```ts
 * import { composeConnection } from "./compose.ts";
 * const hv = { type: "DEMO", connectClose: () => Promise.resolve() };
 * const net = {
 *   connectClose: () => Promise.resolve(),
 *   connectNumOfNetworks: () => Promise.resolve(2),
 * };
 * const conn = composeConnection(hv, { network: net });
 * console.log(await conn.connectNumOfNetworks?.()); // 2
 * ```
 */
export function composeConnection(
  hypervisor: DriverConnection,
  secondaries: Partial<Record<SecondaryFamily, SecondaryConnection>>,
): DriverConnection {
  const parts = Object.entries(secondaries) as [SecondaryFamily, SecondaryConnection][];
  if (!parts.length) return hypervisor;
  const out: Record<string, unknown> = {};
  const bindFamily = (family: FamilyName, provider: Record<string, unknown>) => {
    for (const m of Object.keys(FAMILIES[family].calls)) {
      const fn = provider[m];
      if (typeof fn === "function") out[m] = fn.bind(provider);
    }
  };
  for (const family of Object.keys(FAMILIES) as FamilyName[]) {
    const secondary = family === "hypervisor" ? undefined : secondaries[family];
    bindFamily(family, (secondary ?? hypervisor) as Record<string, unknown>);
  }
  const all = [hypervisor, ...parts.map(([, p]) => p)];
  const base: ConnectionBase = {
    type: hypervisor.type,
    driverMetrics: hypervisor.driverMetrics?.bind(hypervisor),
    async connectClose() {
      const results = await Promise.allSettled(all.map((p) => p.connectClose()));
      const failed = results.find((r) => r.status === "rejected");
      if (failed) throw (failed as PromiseRejectedResult).reason;
    },
    subscribe(listener) {
      const offs = all.map((p) => p.subscribe?.(listener));
      return () => offs.forEach((off) => off?.());
    },
  };
  return Object.assign(out, base) as DriverConnection;
}
