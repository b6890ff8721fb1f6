/**
 * The driver contract, as the drivers, the gateway and the client see it: the wire types and
 * the connection type derived from the call declarations in `util/contract/` (one declaration
 * per call, split per family as libvirt's `driver-*.h`). Method names are libvirt's driver
 * table entries; every argument and result is plain JSON, so the same table is served by a
 * local driver, by the gateway, and by the remote client. A driver leaves out what it does not
 * implement and the public API reports libvirt's `VIR_ERR_NO_SUPPORT`.
 *
 * @module
 */
export type * from "./contract/types.ts";
export type {
  ConnectionBase,
  DriverConnection,
  DriverMethod,
  HypervisorDriver,
  InterfaceDriver,
  NetworkDriver,
  NodeDeviceDriver,
  NWFilterDriver,
  SecretDriver,
  StorageDriver,
} from "./contract/mod.ts";
import type { DriverConnection } from "./contract/mod.ts";
import type { SecondaryOpener } from "./contract/compose.ts";

/**
 * A request as the remote driver sends it: a method, plain headers, and a text or byte body.
 *
 * @example
 * ```ts
 * import type { GatewayRequestInit } from "./driver.ts";
 * const init: GatewayRequestInit = { method: "POST", headers: { accept: "application/json" }, body: "[]" };
 * ```
 */
export interface GatewayRequestInit {
  /** `GET` when absent. */
  method?: string;
  /** Header names in lower case. */
  headers?: Record<string, string>;
  /** JSON text for calls, bytes for stream data. */
  body?: string | Uint8Array<ArrayBuffer>;
  /** Aborts the request (a call's timeout, a closed event stream). */
  signal?: AbortSignal;
}

/**
 * The part of a `Response` the remote driver reads.
 *
 * @example
 * ```ts
 * import type { GatewayResponse } from "./driver.ts";
 * const answer: GatewayResponse = new Response("{}", { status: 200 });
 * ```
 */
export interface GatewayResponse {
  /** The HTTP status. */
  readonly status: number;
  /** Whether the status is 2xx. */
  readonly ok: boolean;
  /** One header's value, or `null`. */
  readonly headers: { get(name: string): string | null };
  /** The body as it arrives (event streams, volume downloads). */
  readonly body: ReadableStream<Uint8Array<ArrayBuffer>> | null;
  /** The whole body as text. */
  text(): Promise<string>;
  /** The whole body parsed as JSON. */
  json(): Promise<unknown>;
}

/**
 * The part of `fetch` a remote connection uses. The runtime's `fetch` is one; a host program's
 * transport may answer with less than a whole `Response`: on Deno the first `Request` or
 * `Response` of a process loads the runtime's fetch code, about a tenth of a one-command evsh
 * run.
 *
 * @example
 * ```ts
 * import type { GatewayFetch } from "./driver.ts";
 * const viaFetch: GatewayFetch = fetch;
 * ```
 */
export type GatewayFetch = (url: string, init?: GatewayRequestInit) => Promise<GatewayResponse>;

/**
 * Opens a connection to another libvirt URI for a driver (the destination of a peer-to-peer
 * migration); the caller closes it with `connectClose`.
 *
 * @example
 * ```ts
 * import type { PeerOpener } from "./driver.ts";
 * const openPeer: PeerOpener = () => Promise.reject(new Error("no peers here"));
 * await openPeer("qemu+http://127.0.0.1:16510/session").catch(() => {});
 * ```
 */
export type PeerOpener = (uri: string) => Promise<DriverConnection>;

/** Options given to `connect()` and passed on to the driver. */
export interface ConnectOptions {
  /** Open read-only (libvirt's VIR_CONNECT_RO): mutating calls fail. */
  readonly?: boolean;
  /** Bearer token for remote transports. */
  token?: string;
  /** A `fetch` to use for remote transports (Workers service bindings, tests). */
  fetch?: GatewayFetch;
  /** How to speak HTTP over a unix socket, when not the runtime's default way. */
  unixFetch?: (path: string) => GatewayFetch;
  /**
   * How to speak HTTP to a gateway over TCP (an `http://` origin), when not the runtime's
   * `fetch`; `undefined` from it leaves the origin to `fetch`.
   */
  tcpFetch?: (origin: string) => GatewayFetch | undefined;
  /** Request timeout for remote transports, in ms. */
  timeoutMs?: number;
  /**
   * Given by the registry to drivers that share the host's secondary drivers: how they open
   * those for their own needs (network ports, storage volumes, secret values).
   */
  secondaries?: SecondaryOpener;
  /**
   * Given by the host to drivers that migrate peer-to-peer: how they open the destination's
   * URI themselves, with the host's own transports (libvirt's source daemon opens it with
   * `virConnectOpenAuth`; a driver here cannot import the client).
   */
  openPeer?: PeerOpener;
  /** Extra options for a driver or transport. */
  [key: string]: unknown;
}

/**
 * A connection driver as libvirt's `virConnectDriver`: which URIs it takes and how it opens
 * them.
 *
 * @example
 * ```ts
 * import type { ConnectDriver } from "./driver.ts";
 * const driver: ConnectDriver = {
 *   name: "demo",
 *   schemes: ["demo"],
 *   open: () => Promise.resolve({ type: "DEMO", connectClose: () => Promise.resolve() }),
 * };
 * ```
 */
export interface ConnectDriver {
  /** A name for diagnostics (`test`, `qemu`, `remote`). */
  name: string;
  /** URI schemes this driver accepts (the part before `:` and before any `+transport`). */
  schemes: string[];
  /** Opens a connection; rejects with a VirError when the URI is not acceptable. */
  open(uri: URL, options: ConnectOptions): Promise<DriverConnection>;
  /**
   * Its connections take the registry's shared secondary drivers (network, storage, …) for the
   * families it does not serve itself, as libvirt registers the QEMU driver with
   * `setSharedDrivers`; a driver that serves every family it has (the test driver) leaves it
   * unset.
   */
  sharesSecondaries?: boolean;
}
