import type { ConnectOptions, DriverConnection } from "../util/driver.ts";
import type { DriverRegistry } from "../util/registry.ts";
import { VirError } from "../util/errors.ts";
import { daemonSocketPath, usesSessionDaemon } from "../protocol/daemon_socket.ts";
import { Connection } from "./connection.ts";
import { openRemote } from "./remote/driver.ts";
import { runtimeAdapter } from "./transport/mod.ts";

/** Where a local daemon listens, and which one it is. */
export interface DaemonTarget {
  /** The daemon's unix socket. */
  socket: string;
  /** The per-user (session) daemon, or the system one. */
  session: boolean;
}

/**
 * Makes sure the daemon behind `target` listens (starting it when it does not), then runs
 * `open`, as libvirt's client library spawns `libvirtd --timeout=120` for a `/session` URI.
 */
export type DaemonAutostart = <T>(target: DaemonTarget, open: () => Promise<T>) => Promise<T>;

/** What {@link connect} takes: the driver's options, plus how this process reaches drivers. */
export interface ClientOptions extends ConnectOptions {
  /**
   * Drivers that run in this process (libvirt's drivers loaded into the client library). A URI
   * without a transport that none of them takes goes to the local daemon, as libvirt's remote
   * driver does.
   */
  drivers?: DriverRegistry;
  /**
   * Drivers that run in this process for `scheme:///embed?root=DIR` URIs only (libvirt's
   * embeddable drivers, loaded into the application for an embed URI).
   */
  embed?: DriverRegistry;
  /** Starts the local daemon on first use; without it a missing daemon is an error. */
  autostart?: DaemonAutostart;
}

/**
 * Opens a connection, like `virConnectOpen`: `scheme+transport://host/path` goes through the
 * gateway at that address; `scheme:///embed?root=DIR` to an in-process driver of
 * `options.embed`; other `scheme:///path` URIs to an in-process driver of `options.drivers`
 * that takes the scheme, else to the local daemon's unix socket (`/session` URIs and `test:` to
 * the per-user one, others to the system one). Importing this module opens nothing and registers
 * nothing: a host process passes its drivers (the host entry point does that for you).
 *
 * @example
 * ```ts
 * import { connect } from "../mod.ts";
 * const conn = await connect("test+http://127.0.0.1:16510/default", { token: "…" });
 * console.log(conn.getType()); // "TEST"
 * await conn.close();
 * ```
 */
export async function connect(uri: string, options: ClientOptions = {}): Promise<Connection> {
  // virURIParse takes a name without a scheme as a relative reference; virConnectOpen then
  // finds no driver named in it.
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri)) {
    throw VirError.report("NONE", "NO_CONNECT", `URI '${uri}' does not include a driver name`);
  }
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw VirError.report("NONE", "INVALID_ARG", `Unable to parse URI ${uri}`);
  }
  const scheme = url.protocol.replace(/:$/, "");
  const [driverName, transport] = scheme.split("+", 2);
  const { drivers, embed, autostart, ...driverOptions } = options;
  let driver: DriverConnection;
  if (transport !== undefined) driver = await openRemote(url, driverOptions);
  else if (url.pathname === "/embed") {
    const local = embed?.find(driverName);
    if (!local) throw VirError.report("NONE", "NO_CONNECT", uri);
    driver = await local.open(url, driverOptions);
  } else {
    const local = drivers?.find(driverName);
    driver = local
      ? await local.open(url, driverOptions)
      : await openThroughDaemon(url, driverName, driverOptions, autostart);
  }
  return new Connection(driver, uri, Boolean(options.readonly));
}

/** libvirt's remote driver for a local URI: the daemon's unix socket, the URI sent unchanged. */
function openThroughDaemon(
  url: URL,
  driverName: string,
  options: ConnectOptions,
  autostart: DaemonAutostart | undefined,
): Promise<DriverConnection> {
  if (url.host || !/^[a-z0-9_]+$/i.test(driverName)) {
    return Promise.reject(VirError.report("NONE", "NO_CONNECT", url.href));
  }
  const session = usesSessionDaemon(url);
  const socket = daemonSocketPath(runtimeAdapter().env, session);
  const params = new URLSearchParams(url.search);
  params.set("socket", socket);
  const remote = new URL(`${driverName}+unix://${url.pathname}?${params}`);
  const open = () => openRemote(remote, options);
  return autostart ? autostart({ socket, session }, open) : open();
}
