import type { RuntimeAdapter } from "./types.ts";

// Held in a variable so that bundlers for other runtimes leave the HTTP/1.1 client out (the
// client bundle's size budget): it only runs on Deno, which loads the module from source.
const HTTP1 = "./http1.ts";

/**
 * The HTTP/1.1 client over connections from `connect` (see `http1.ts`), or `undefined` when
 * its module cannot be loaded (no read access to it): the runtime's `fetch` does the job then.
 */
async function http1(
  connect: () => Promise<Deno.Conn>,
  host: string,
): Promise<typeof fetch | undefined> {
  try {
    const { http1Fetch } = await import(HTTP1) as typeof import("./http1.ts");
    return http1Fetch(connect, host);
  } catch {
    return undefined;
  }
}

/**
 * Deno: HTTP/1.1 written on `Deno.connect` (TCP, or the unix socket of `+unix` URIs), with
 * `fetch` (through `Deno.createHttpClient` for unix sockets) where that cannot load.
 */
export const denoAdapter: RuntimeAdapter = {
  name: "deno",
  env(name) {
    // Without --allow-env a lookup throws; a missing permission means "not set" here.
    try {
      return Deno.env.get(name);
    } catch {
      return undefined;
    }
  },
  async readTextFile(path) {
    try {
      return await Deno.readTextFile(path);
    } catch {
      return undefined;
    }
  },
  async unixFetch(path) {
    const fast = await http1(() => Deno.connect({ transport: "unix", path }), "localhost");
    if (fast) return fast;
    const client = Deno.createHttpClient({ proxy: { transport: "unix", path } });
    return (input, init) => fetch(input, { ...init, client });
  },
  async originFetch(origin) {
    const url = new URL(origin);
    if (url.protocol !== "http:") return undefined;
    const hostname = url.hostname.replace(/^\[|\]$/g, "");
    const port = Number(url.port || 80);
    return await http1(async () => {
      const conn = await Deno.connect({ hostname, port });
      // Calls are small request/answer pairs: Nagle's delay would only add latency.
      conn.setNoDelay(true);
      return conn;
    }, url.host);
  },
};
