import type { RuntimeAdapter } from "./types.ts";
import { unixSocketFetch } from "./unix_http.ts";

/** Deno: HTTP/1.1 written on `Deno.connect` for `+unix` URIs (see `unix_http.ts`). */
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
    return Promise.resolve(unixSocketFetch(path));
  },
  async unixError(path) {
    try {
      (await Deno.connect({ transport: "unix", path })).close();
      return undefined;
    } catch (e) {
      return (e as Error).message.replace(/ \(os error \d+\)$/, "");
    }
  },
};
