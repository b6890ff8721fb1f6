import { VirError } from "../util/errors.ts";
import { ANONYMOUS_FULL, type Principal } from "./acl.ts";
import type { HeaderView } from "./call_request.ts";
import type { TokenStore } from "./tokens.ts";

/** How callers prove who they are: bearer tokens, or nobody (`--auth none`). */
export type AuthConfig = TokenStore | "none";

/**
 * The caller of a request: from `Authorization: Bearer …`, or from a WebSocket subprotocol
 * `bearer.<token>` (browsers cannot set headers on a WebSocket). Throws libvirt's
 * `VIR_ERR_AUTH_FAILED` (HTTP 401) for a missing or unknown token.
 *
 * @example
 * ```ts
 * import { authenticate } from "./auth.ts";
 * (await authenticate("none", new Headers())).role; // "full"
 * ```
 */
export async function authenticate(auth: AuthConfig, headers: HeaderView): Promise<Principal> {
  if (auth === "none") return ANONYMOUS_FULL;
  const token = bearerToken(headers);
  if (!token) throw VirError.report("RPC", "AUTH_FAILED", "a bearer token is required");
  const principal = await auth.authenticate(token);
  if (!principal) throw VirError.report("RPC", "AUTH_FAILED", "the token is not valid");
  return principal;
}

/** Whether the request carries a token at all (a header or a `bearer.` subprotocol). */
export function hasBearerToken(headers: HeaderView): boolean {
  return bearerToken(headers) !== undefined;
}

function bearerToken(headers: HeaderView): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(headers.get("authorization") ?? "");
  if (m) return m[1];
  const protocols = (headers.get("sec-websocket-protocol") ?? "").split(",").map((s) => s.trim());
  return protocols.find((p) => p.startsWith("bearer."))?.slice("bearer.".length);
}
