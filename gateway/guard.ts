import type { MiddlewareHandler } from "hono";
import { VirError } from "../util/errors.ts";
import type { CallRequest } from "./call_request.ts";
import { jsonResponse } from "./http_status.ts";

/** Who may reach the gateway from a browser, and under which host names. */
export interface GuardOptions {
  /** Web origins allowed to call (the CORS list); any other `Origin` is refused. */
  origins: readonly string[];
  /**
   * Host names the gateway answers to (`Host` header, port ignored); undefined accepts any. A
   * gateway on loopback names only loopback hosts, so that a page whose DNS name is rebound to
   * 127.0.0.1 cannot reach it.
   */
  hosts?: readonly string[];
}

/** Body types a page may send across sites without a preflight (the "simple" requests). */
const SIMPLE_BODY = /^(text\/plain|application\/x-www-form-urlencoded|multipart\/form-data)\b/i;
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** The host names of the loopback interface, for {@link GuardOptions.hosts}. */
export const LOOPBACK_HOSTS: readonly string[] = ["localhost", "127.0.0.1", "[::1]", "::1"];

function refuse(message: string, status: 403 | 415 | 421): Response {
  return jsonResponse(VirError.report("RPC", "OPERATION_DENIED", message), status);
}

function hostName(host: string): string {
  return host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.replace(/:\d+$/, "");
}

/**
 * The gateway's defence against web pages, token or not (with `--auth none` a browser is the
 * only thing between a page and the host): a request from a page of another origin is refused
 * unless that origin is allowed, WebSocket upgrades included (browsers send `Origin` there and
 * nowhere else is it checked); a mutating request must carry a JSON or XML body type, so no
 * cross-site form or `text/plain` post gets through; and on loopback the `Host` must be a
 * loopback name (DNS rebinding).
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { guard, LOOPBACK_HOSTS } from "./guard.ts";
 * const app = new Hono().use("*", guard({ origins: [], hosts: LOOPBACK_HOSTS }));
 * app.post("/x", (c) => c.text("ok"));
 * const res = await app.request("http://localhost/x", {
 *   method: "POST",
 *   headers: { "content-type": "text/plain" },
 * });
 * console.log(res.status); // 415
 * ```
 */
export function guard(options: GuardOptions): MiddlewareHandler {
  const refusal = guardRefusal(options);
  return async (c, next) => {
    const refused = refusal(c.req.raw);
    if (refused) return refused;
    await next();
  };
}

/**
 * {@link guard}'s rules on a raw request: the answer refusing it, or `undefined` when it may go
 * on (for the gateway's fast path for calls, which runs before the router).
 *
 * @example
 * ```ts
 * import { guardRefusal, LOOPBACK_HOSTS } from "./guard.ts";
 * const refusal = guardRefusal({ origins: [], hosts: LOOPBACK_HOSTS });
 * refusal(new Request("http://evil.example/x"))?.status; // 421
 * ```
 */
export function guardRefusal(options: GuardOptions): (req: CallRequest) => Response | undefined {
  const origins = new Set(options.origins);
  const hosts = options.hosts && new Set(options.hosts.map((h) => h.toLowerCase()));
  return (req) => {
    // A request built in-process (app.request) has no Host header: its URL carries the host.
    const host = req.headers.get("host") ?? new URL(req.url).host;
    if (hosts && !(host && hosts.has(hostName(host.toLowerCase())))) {
      return refuse(`host '${host ?? ""}' is not served here`, 421);
    }
    const origin = req.headers.get("origin");
    if (origin !== null && !origins.has(origin) && !sameHost(origin, host)) {
      return refuse(`origin '${origin}' is not allowed`, 403);
    }
    if (UNSAFE.has(req.method)) {
      const type = req.headers.get("content-type") ?? "";
      if (SIMPLE_BODY.test(type)) {
        return refuse(`content type '${type}' is not accepted: send JSON or XML`, 415);
      }
    }
    return undefined;
  };
}

/**
 * Whether a page of `origin` was served by this gateway: the same host and port as the request
 * is for. Not the request URL's origin: behind the guarded TCP listener and on the unix socket
 * that is `http+unix://…`, and TLS ends before the handler; one port has one server, so host
 * and port say it.
 */
function sameHost(origin: string, host: string): boolean {
  try {
    const o = new URL(origin);
    const port = o.port || (o.protocol === "https:" ? "443" : "80");
    const h = hostName(host);
    const p = host.slice(h.length + 1);
    return o.hostname === h.toLowerCase() && (p ? port === p : o.port === "");
  } catch {
    return false;
  }
}
