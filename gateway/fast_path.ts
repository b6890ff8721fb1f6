import { errorResponse } from "./http_status.ts";
import { requestPath } from "./route_template.ts";

/** The handlers of the two call routes, as the router runs them, and what runs before them. */
export interface CallRoutes {
  /** The router's `*` middleware as a check: an answer refusing the request, or `undefined`. */
  refusal(req: Request): Response | undefined;
  /** `POST /v1/sessions/{id}/call/{method}`. */
  session(req: Request, id: string, method: string): Promise<Response>;
  /** `POST /v1/{driver}/{path}/call/{method}`, `served` being `{driver}/{path}`. */
  served(req: Request, served: string, method: string): Promise<Response>;
}

const CALL_PATH = /^\/v1\/([^/]+)\/([^/]+)\/call\/([^/]+)$/;

/**
 * Matches the call routes on the raw request, ahead of hono: calls are nearly all a client
 * sends, and the router, its middleware chain and its context cost as much as the checks and
 * the driver call together. Only the plain case is taken — a POST with a `content-length`
 * within the body limit and a path without escapes — and answered exactly as the router
 * would (the guard's rules first, then the same handlers, and errors through the same
 * `errorResponse` as `app.onError`);
 * anything else returns `undefined` and goes to the router, which has the general rules
 * (streamed bodies, the 413 answer, percent-decoding).
 *
 * @example
 * ```ts ignore
 * const fast = callFastPath({ refusal, session: sessionCall(ctx), served: servedCall }, 4 << 20);
 * const fetch = (req: Request) => fast(req) ?? app.fetch(req);
 * ```
 */
export function callFastPath(
  routes: CallRoutes,
  maxBodyBytes: number,
): (req: Request) => Promise<Response> | undefined {
  return (req) => {
    if (req.method !== "POST") return undefined;
    const path = requestPath(req.url);
    if (path.includes("%")) return undefined;
    const m = CALL_PATH.exec(path);
    if (!m) return undefined;
    const length = req.headers.get("content-length");
    if (length === null || req.headers.has("transfer-encoding")) return undefined;
    if (parseInt(length, 10) > maxBodyBytes) return undefined;
    const refused = routes.refusal(req);
    if (refused) return Promise.resolve(refused);
    // The sessions routes come first in the router too.
    const answer = m[1] === "sessions"
      ? routes.session(req, m[2], m[3])
      : routes.served(req, `${m[1]}/${m[2]}`, m[3]);
    return answer.catch((e) => errorResponse(e));
  };
}
