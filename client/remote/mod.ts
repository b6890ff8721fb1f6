/**
 * The remote driver: `driver+transport://host/path` URIs through the gateway, and local URIs
 * through the local daemon's socket. `connect()` uses it directly.
 *
 * @example
 * ```ts
 * import { openRemote } from "./mod.ts";
 * const drv = await openRemote(new URL("test+http://127.0.0.1:16510/default"), { token: "…" });
 * await drv.connectClose();
 * ```
 * @module
 */
export { openRemote, type ServedDriverInfo } from "./driver.ts";
export { parseRemoteUri, type RemoteTarget } from "./uri.ts";
export { defaultTokenFile, resolveToken } from "./token.ts";
