import { VirError } from "../../util/errors.ts";
import type { RuntimeAdapter } from "./types.ts";

/**
 * The adapter for runtimes with nothing but `fetch` (browsers, Cloudflare Workers): no
 * environment, no files, no unix sockets. Tokens then come from `connect()` options.
 */
export const fetchAdapter: RuntimeAdapter = {
  name: "fetch",
  env: () => undefined,
  readTextFile: () => Promise.resolve(undefined),
  unixFetch: () =>
    Promise.reject(
      VirError.report("RPC", "NO_SUPPORT", "unix sockets"),
    ),
};
