import type { RuntimeAdapter } from "./types.ts";

/** Deno: `Deno.createHttpClient` with a unix-socket proxy transport for `+unix` URIs. */
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
    const client = Deno.createHttpClient({ proxy: { transport: "unix", path } });
    const unixFetch: typeof fetch = (input, init) => fetch(input, { ...init, client });
    return Promise.resolve(unixFetch);
  },
};
