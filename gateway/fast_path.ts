import type { CallRequest, InProcessCalls } from "./call_request.ts";
import { errorResponse } from "./http_status.ts";
import { requestPath } from "./route_template.ts";

/** The handlers of the two call routes, as the router runs them, and what runs before them. */
export interface CallRoutes {
  /** The router's `*` middleware as a check: an answer refusing the request, or `undefined`. */
  refusal(req: CallRequest): Response | undefined;
  /** `POST /v1/sessions/{id}/call/{method}`. */
  session(req: CallRequest, id: string, method: string): Promise<Response>;
  /** `POST /v1/{driver}/{path}/call/{method}`, `served` being `{driver}/{path}`. */
  served(req: CallRequest, served: string, method: string): Promise<Response>;
  /** `POST /v1/streams/{id}`: an upload's piece (a hole, a finish). */
  stream(req: CallRequest, id: string): Promise<Response>;
}

const CALL_PATH = /^\/v1\/([^/]+)\/([^/]+)\/call\/([^/]+)$/;
const STREAM_POST_PATH = /^\/v1\/streams\/([^/]+)$/;

/**
 * Matches the call routes (and an upload's piece, `POST /v1/streams/{id}`) on the raw request,
 * ahead of hono: calls are nearly all a client sends, and the router, its middleware chain and
 * its context cost as much as the checks and the driver call together. Only the plain case is
 * taken — a POST with a `content-length` within the body limit, no `Expect`, and a path without
 * escapes — and answered exactly as the router would (the guard's rules first, then the same
 * handlers, and errors through the same `errorResponse` as `app.onError`); anything else goes to
 * the router, which has the general rules (streamed bodies, the 413 answer, percent-decoding).
 * The guarded TCP listener asks the same of the requests it reads, and answers those without
 * passing them on.
 *
 * @example
 * ```ts ignore
 * const fast = callFastPath({ refusal, session, served, stream }, 4 << 20);
 * const fetch = (req: Request) => fast.takes(req) ? fast.answer(req) : app.fetch(req);
 * ```
 */
export function callFastPath(routes: CallRoutes, maxBodyBytes: number): InProcessCalls {
  return {
    takes(req) {
      if (req.method !== "POST" || req.headers.has("expect")) return false;
      const path = requestPath(req.url);
      if (path.includes("%") || !(CALL_PATH.test(path) || STREAM_POST_PATH.test(path))) {
        return false;
      }
      const length = req.headers.get("content-length");
      if (length === null || req.headers.has("transfer-encoding")) return false;
      return parseInt(length, 10) <= maxBodyBytes;
    },
    answer(req) {
      const refused = routes.refusal(req);
      if (refused) return Promise.resolve(refused);
      const path = requestPath(req.url);
      const m = CALL_PATH.exec(path);
      // The sessions routes come first in the router too.
      const answer = !m
        ? routes.stream(req, STREAM_POST_PATH.exec(path)![1])
        : m[1] === "sessions"
        ? routes.session(req, m[2], m[3])
        : routes.served(req, `${m[1]}/${m[2]}`, m[3]);
      return answer.catch((e) => errorResponse(e));
    },
  };
}
