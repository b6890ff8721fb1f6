import { VirError } from "../../util/errors.ts";

/** The gateway's default TCP port (libvirtd's is 16509; the gateway sits next to it). */
export const DEFAULT_PORT = 16510;

/** Where a `driver+transport://…` URI points. */
export interface RemoteTarget {
  /** `http`, `https` or `unix`. */
  transport: "http" | "https" | "unix";
  /** Origin requests go to (`http://localhost` for unix sockets: the socket decides). */
  origin: string;
  /** The served driver as the gateway names it: driver name plus URI path (`test/default`). */
  driverPath: string;
  /** The unix socket path for `+unix`. */
  socket?: string;
}

/**
 * Splits a remote URI the way libvirt's remote driver does:
 * `driver+transport://[host[:port]]/path[?socket=…]`. Credentials in the URI are refused, so
 * that a token never ends up in logs or shell history.
 *
 * @example
 * ```ts
 * import { parseRemoteUri } from "./uri.ts";
 * parseRemoteUri(new URL("test+http://127.0.0.1:16510/default")).driverPath; // "test/default"
 * ```
 */
export function parseRemoteUri(uri: URL): RemoteTarget {
  const [driver, transport] = uri.protocol.replace(/:$/, "").split("+", 2);
  const bad = (why: string) => VirError.report("REMOTE", "INVALID_ARG", `${why}: ${uri.href}`);
  if (transport !== "http" && transport !== "https" && transport !== "unix") {
    throw bad(`transport '${transport}' is not supported (use http, https or unix)`);
  }
  if (uri.username || uri.password) throw bad("credentials do not belong in the URI");
  const path = uri.pathname.replace(/^\/+|\/+$/g, "");
  if (!/^[a-z0-9_]+$/i.test(driver) || !/^[a-z0-9_]+$/i.test(path)) {
    throw bad("expected driver+transport://[host[:port]]/path");
  }
  const driverPath = `${driver}/${path}`;
  if (transport === "unix") {
    const socket = uri.searchParams.get("socket");
    if (!socket) throw bad("a unix URI needs ?socket=PATH");
    return { transport, origin: "http://localhost", driverPath, socket };
  }
  const host = uri.hostname || "127.0.0.1";
  const port = uri.port || String(DEFAULT_PORT);
  const bracketed = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return { transport, origin: `${transport}://${bracketed}:${port}`, driverPath };
}
