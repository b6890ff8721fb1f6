import { http1Fetch } from "./http1.ts";
import type { RuntimeAdapter } from "./types.ts";

/** Deno: HTTP/1.1 written on `Deno.connect` (TCP or the unix socket of `+unix` URIs). */
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
  unixFetch(path) {
    return Promise.resolve(
      http1Fetch(() => Deno.connect({ transport: "unix", path }), "localhost"),
    );
  },
  originFetch(origin) {
    const url = new URL(origin);
    if (url.protocol !== "http:") return undefined;
    const hostname = url.hostname.replace(/^\[|\]$/g, "");
    const port = Number(url.port || 80);
    return http1Fetch(async () => {
      const conn = await Deno.connect({ hostname, port });
      // Calls are small request/answer pairs: Nagle's delay would only add latency.
      conn.setNoDelay(true);
      return conn;
    }, url.host);
  },
};
