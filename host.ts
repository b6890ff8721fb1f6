/**
 * For programs on a host (Deno): everything `mod.ts` has, with {@link connect} as libvirt's
 * client library behaves on a host, and the gateway.
 *
 * - `test:///…` runs libvirt's mock driver in this process, as libvirt's client library does;
 * - `qemu:///session` goes to the user's session daemon (the gateway run with `--daemon`),
 *   started on first use: one process owns the QEMU state, whichever client is connected;
 * - `qemu:///system` goes to the system daemon's socket (`/run/edgevirt/edgevirt-sock`),
 *   started on first use when running as root (libvirt relies on systemd socket activation);
 * - `qemu:///embed?root=DIR` runs the QEMU driver in this process with all its state under DIR
 *   (libvirt 6.1+'s embedded driver), refused while another live process holds DIR.
 *
 * Driver code loads on first use.
 *
 * @example
 * ```ts
 * import { connect } from "./host.ts";
 * const conn = await connect("test:///default");
 * console.log((await conn.listAllDomains()).map((d) => d.name)); // ["test"]
 * await conn.close();
 * ```
 * @module
 */
import { type ClientOptions, connect as connectWith } from "./client/connect.ts";
import { autostartDaemon } from "./gateway/autostart.ts";
import type { Connection } from "./client/connection.ts";
import { createRegistry, type DriverRegistry, lazyDriver, lazySecondary } from "./util/registry.ts";
import type { PeerOpener } from "./util/driver.ts";
import { tcpFetch, unixSocketFetch } from "./client/transport/http1.ts";
import type { Gateway, GatewayOptions } from "./gateway/app.ts";

export * from "./mod.ts";
export { createRegistry, type DriverRegistry, lazyDriver, lazySecondary } from "./util/registry.ts";
export { autostartDaemon } from "./gateway/autostart.ts";
export type { DriverSpec, Gateway, GatewayOptions } from "./gateway/app.ts";

const testDriver = lazyDriver(
  "test",
  ["test"],
  async () => (await import("./drivers/simulator/mod.ts")).testConnectDriver,
);
const qemuDriver = lazyDriver(
  "qemu",
  ["qemu"],
  async () => (await import("./drivers/qemu/mod.ts")).qemuConnectDriver,
  true,
);

// The host's shared secondary drivers, given to the drivers that share them (QEMU).
const secondaries = [
  lazySecondary(
    "storage",
    "storage",
    async () => (await import("./drivers/storage/mod.ts")).storageDriver,
  ),
  lazySecondary(
    "secret",
    "secret",
    async () => (await import("./drivers/secret/mod.ts")).secretDriver,
  ),
  lazySecondary(
    "udev",
    "nodedev",
    async () => (await import("./drivers/node_device/mod.ts")).nodeDeviceDriver,
  ),
  lazySecondary(
    "udev",
    "interface",
    async () => (await import("./drivers/interface/mod.ts")).interfaceDriver,
  ),
  lazySecondary(
    "nwfilter",
    "nwfilter",
    async () => (await import("./drivers/nwfilter/mod.ts")).nwfilterDriver,
  ),
  lazySecondary(
    "bridge",
    "network",
    async () => (await import("./drivers/network/mod.ts")).networkDriver,
  ),
];

/**
 * How a driver of this host opens a peer (the destination of a peer-to-peer migration): the
 * client with this host's transports, as libvirt's source daemon opens it.
 */
const openPeer: PeerOpener = async (uri) => (await connect(uri)).driver;

const clientDrivers = createRegistry([testDriver]);
const embedDrivers = createRegistry([qemuDriver], secondaries, openPeer);

/**
 * Every driver of this host: what a gateway runs (`test`, and `qemu` for its session, system
 * and embedded URIs).
 *
 * @example
 * ```ts
 * import { hostDrivers } from "./host.ts";
 * console.log(hostDrivers().drivers.map((d) => d.name)); // ["test", "qemu"]
 * ```
 */
export function hostDrivers(): DriverRegistry {
  return createRegistry([testDriver, qemuDriver], secondaries, openPeer);
}

/**
 * `connect()` for host programs: `test:` in-process, `qemu:///embed` in-process, the rest
 * through the local daemon, started on first use (each part can be overridden in `options`).
 *
 * @example
 * ```ts
 * import { connect } from "./host.ts";
 * const conn = await connect("test:///default");
 * await conn.close();
 * ```
 */
export function connect(uri: string, options: ClientOptions = {}): Promise<Connection> {
  return connectWith(uri, {
    drivers: clientDrivers,
    embed: embedDrivers,
    autostart: autostartDaemon,
    unixFetch: unixSocketFetch,
    tcpFetch,
    ...options,
  });
}

/**
 * The gateway (libvirtd over HTTP) with the host's drivers unless `options.registry` is given;
 * its code loads on first call.
 *
 * @example
 * ```ts
 * import { createGateway } from "./host.ts";
 * const gw = await createGateway({ drivers: ["test:///default"], auth: "none" });
 * await gw.close();
 * ```
 */
export async function createGateway(
  options: Omit<GatewayOptions, "registry"> & { registry?: DriverRegistry },
): Promise<Gateway> {
  const app = await import("./gateway/app.ts");
  return await app.createGateway({ ...options, registry: options.registry ?? hostDrivers() });
}
