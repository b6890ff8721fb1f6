/**
 * The remote driver: `driver+transport://host/path` URIs through the gateway. Importing this
 * module installs it as `connect()`'s opener for URIs with a transport.
 *
 * @example
 * ```ts
 * import "./mod.ts";
 * import { connect } from "../connect.ts";
 * const conn = await connect("test+http://127.0.0.1:16510/default", { token: "…" });
 * await conn.close();
 * ```
 * @module
 */
import { setRemoteOpener } from "../connect.ts";
import { openRemote } from "./driver.ts";

export { openRemote, type ServedDriverInfo } from "./driver.ts";
export { parseRemoteUri, type RemoteTarget } from "./uri.ts";
export { defaultTokenFile, resolveToken } from "./token.ts";

setRemoteOpener(openRemote);
