import type { ConnectOptions, DriverConnection } from "../util/driver.ts";
import { findDriver } from "../util/registry.ts";
import { VirError } from "../util/errors.ts";
import { Connection } from "./connection.ts";

/** Opens a driver connection for a URI with a transport (`test+http://…`). */
export type RemoteOpener = (uri: URL, options: ConnectOptions) => Promise<DriverConnection>;

let remoteOpener: RemoteOpener | undefined;

/** Installs the remote driver (the client's HTTP transport) for `driver+transport://` URIs. */
export function setRemoteOpener(opener: RemoteOpener): void {
  remoteOpener = opener;
}

/**
 * Opens a connection, like `virConnectOpen`: `scheme:///path` goes to the driver registered
 * for the scheme, `scheme+transport://host/path` to the remote driver (the gateway).
 *
 * @example
 * ```ts
 * import { connect } from "../mod.ts";
 * const conn = await connect("test:///default");
 * console.log(conn.getType()); // "TEST"
 * await conn.close();
 * ```
 */
export async function connect(uri: string, options: ConnectOptions = {}): Promise<Connection> {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw VirError.report("NONE", "INVALID_ARG", `Unable to parse URI ${uri}`);
  }
  const scheme = url.protocol.replace(/:$/, "");
  const [driverName, transport] = scheme.split("+", 2);
  let driver: DriverConnection;
  if (transport !== undefined) {
    if (!remoteOpener) throw VirError.report("NONE", "NO_CONNECT", uri);
    driver = await remoteOpener(url, options);
  } else {
    const d = findDriver(driverName);
    if (!d) throw VirError.report("NONE", "NO_CONNECT", uri);
    driver = await d.open(url, options);
  }
  return new Connection(driver, uri, Boolean(options.readonly));
}
