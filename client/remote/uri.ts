import { VirError } from "../../util/errors.ts";

/** The gateway's default TCP port (libvirtd's is 16509; the gateway sits next to it). */
export const DEFAULT_PORT = 16510;

/** Where a `driver+transport://…` URI points. */
export interface RemoteTarget {
  /** `http`, `https` or `unix`. */
  transport: "http" | "https" | "unix";
  /** Origin requests go to (`http://localhost` for unix sockets: the socket decides). */
  origin: string;
  /**
   * The URI the gateway opens for this connection, as libvirt's remote driver sends the daemon
   * its URI: the remote URI minus transport, host and the client's own `socket` parameter
   * (`test+http://h:p/default` → `test:///default`, `test+http://h:p/abs/node.xml` →
   * `test:///abs/node.xml`).
   */
  uri: string;
  /** The unix socket path for `+unix`. */
  socket?: string;
}

/**
 * Splits a remote URI the way libvirt's remote driver does:
 * `driver+transport://[host[:port]]/path[?params]`. The path and the parameters go to the
 * gateway unchanged, so `test+http://host/abs/path.xml` opens the node file `/abs/path.xml` on
 * the gateway's host, exactly as `test+tcp://host/abs/path.xml` does with libvirtd. Credentials
 * in the URI are refused, so that a token never ends up in logs or shell history.
 *
 * @example
 * ```ts
 * import { parseRemoteUri } from "./uri.ts";
 * parseRemoteUri(new URL("test+http://127.0.0.1:16510/default")).uri; // "test:///default"
 * ```
 */
export function parseRemoteUri(uri: URL): RemoteTarget {
  const [driver, transport] = uri.protocol.replace(/:$/, "").split("+", 2);
  const bad = (why: string) => VirError.report("REMOTE", "INVALID_ARG", `${why}: ${uri.href}`);
  if (transport !== "http" && transport !== "https" && transport !== "unix") {
    throw bad(`transport '${transport}' is not supported (use http, https or unix)`);
  }
  if (uri.username || uri.password) throw bad("credentials do not belong in the URI");
  if (!/^[a-z0-9_]+$/i.test(driver)) throw bad("expected driver+transport://[host[:port]]/path");
  const params = new URLSearchParams(uri.search);
  const socket = params.get("socket");
  params.delete("socket");
  const query = params.size ? `?${params}` : "";
  const local = `${driver}://${uri.pathname}${query}`;
  if (transport === "unix") {
    if (!socket) throw bad("a unix URI needs ?socket=PATH");
    return { transport, origin: "http://localhost", uri: local, socket };
  }
  const host = uri.hostname || "127.0.0.1";
  const port = uri.port || String(DEFAULT_PORT);
  const bracketed = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return { transport, origin: `${transport}://${bracketed}:${port}`, uri: local };
}
