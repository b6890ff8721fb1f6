import type { MiddlewareHandler } from "hono";
import { EVENT_MARK_HEADER } from "../protocol/event_id.ts";

/** What a page on an allowed origin may send: the bearer token, a body type, SSE resumption. */
const ALLOW_HEADERS = "Authorization, Content-Type, Accept, Last-Event-ID";
/** What a page may read from an answer beyond the safelisted headers: the call's event mark. */
const EXPOSE_HEADERS = EVENT_MARK_HEADER;
const ALLOW_METHODS = "GET, POST, DELETE";
/** How long a browser may reuse a preflight answer, in seconds. */
const MAX_AGE = "600";

/**
 * Checks a `--cors-origin` value: an exact web origin (`https://host[:port]`, no path), as the
 * browser's `Origin` header will spell it, so a typo fails at start instead of silently never
 * matching.
 *
 * @example
 * ```ts
 * import { parseCorsOrigin } from "./cors.ts";
 * parseCorsOrigin("http://127.0.0.1:8080"); // "http://127.0.0.1:8080"
 * ```
 */
export function parseCorsOrigin(spec: string): string {
  let url: URL | undefined;
  try {
    url = new URL(spec);
  } catch {
    // reported below
  }
  if (!url || !/^https?:$/.test(url.protocol) || url.origin !== spec) {
    throw new Error(`--cors-origin wants an origin like https://host:port, got '${spec}'`);
  }
  return spec;
}

/**
 * Lets pages on the given origins use the gateway from a browser: preflights from them are
 * answered (any path: the browser asks before it knows whether the route exists), and every
 * answer to them carries `Access-Control-Allow-Origin`. Other origins get no CORS headers, so
 * the browser keeps blocking them. WebSocket upgrades are left alone: browsers do not apply
 * CORS to them, and the RPC socket's token arrives in a message, never from ambient cookies.
 *
 * @example
 * ```ts ignore
 * app.use("*", cors(["http://127.0.0.1:8080"]));
 * ```
 */
export function cors(origins: readonly string[]): MiddlewareHandler {
  const allowed = new Set(origins);
  return async (c, next) => {
    const origin = c.req.header("origin");
    const ok = origin !== undefined && allowed.has(origin);
    if (ok && c.req.method === "OPTIONS" && c.req.header("access-control-request-method")) {
      return new Response(null, {
        status: 204,
        headers: {
          "access-control-allow-origin": origin,
          "access-control-allow-methods": ALLOW_METHODS,
          "access-control-allow-headers": ALLOW_HEADERS,
          "access-control-max-age": MAX_AGE,
          vary: "Origin",
        },
      });
    }
    await next();
    if (c.res.status === 101) return;
    // A handler's Response may have immutable headers (upgrades, fetched bodies): use a copy,
    // and clear c.res first so that hono does not merge the old headers back in.
    const res = new Response(c.res.body, c.res);
    res.headers.append("vary", "Origin");
    if (ok) {
      res.headers.set("access-control-allow-origin", origin);
      res.headers.set("access-control-expose-headers", EXPOSE_HEADERS);
    }
    c.res = undefined;
    c.res = res;
  };
}
