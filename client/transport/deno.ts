import type { RuntimeAdapter } from "./types.ts";

/**
 * Deno: `fetch` through an HTTP client bound to the socket for `+unix` URIs. Host programs
 * (`host.ts`) pass the leaner `http1.ts` instead, whose first request skips the client's
 * start-up cost; the portable client does not carry it.
 */
export const denoAdapter: RuntimeAdapter = {
  name: "deno",
  // Without --allow-env the lookup throws NotCapable, which the token resolver reports.
  env: (name) => Deno.env.get(name),
  async readTextFile(path) {
    try {
      return await Deno.readTextFile(path);
    } catch (e) {
      // Without --allow-read the read is NotCapable: thrown, as is the system's PermissionDenied.
      if (e instanceof Deno.errors.NotFound) return undefined;
      throw e;
    }
  },
  unixFetch(path) {
    const client = Deno.createHttpClient({ proxy: { transport: "unix", path } });
    const viaSocket: typeof fetch = (input, init) => fetch(input, { ...init, client });
    return Promise.resolve(viaSocket);
  },
};
