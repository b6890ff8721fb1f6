import type { Env, Hono } from "hono";
import { VirError } from "../util/errors.ts";
import { type AuthConfig, authenticate } from "./auth.ts";
import type { CallRequest } from "./call_request.ts";
import { callRoute, describe, dispatch } from "./dispatch.ts";
import { jsonResponse } from "./http_status.ts";
import { markEvents, sseResponse } from "./event_stream.ts";
import type { CallGate, Limits } from "./limits.ts";
import type { SessionTable } from "./session_table.ts";
import type { StreamTable } from "./stream_table.ts";

/** What the session routes share with the rest of the gateway. */
export interface SessionRoutesContext {
  sessions: SessionTable;
  auth: AuthConfig;
  gate: CallGate;
  limits: Limits;
  /** Where stream calls leave their streams for the data request. */
  streams: StreamTable;
}

const json = jsonResponse;

/** The caller of a request on session `id`, and the session if it is theirs. */
async function own(ctx: SessionRoutesContext, req: CallRequest, id: string) {
  const principal = await authenticate(ctx.auth, req.headers);
  return { principal, session: ctx.sessions.http(id, principal) };
}

/**
 * `POST /v1/sessions/{id}/call/{method}` for a request and its path parameters: the caller's
 * token, its session, then the call (see {@link sessionRoutes}). Shared by the router and the
 * gateway's fast path for calls.
 *
 * @example
 * ```ts ignore
 * const call = sessionCall({ sessions, auth, gate, limits });
 * const res = await call(req, sessionId, "connectListAllDomains");
 * ```
 */
export function sessionCall(
  ctx: SessionRoutesContext,
): (req: CallRequest, id: string, method: string) => Promise<Response> {
  return async (req, id, method) => {
    const { principal, session } = await own(ctx, req, id);
    return markEvents(session.events, principal, () =>
      callRoute(
        method,
        () => req.json(),
        (m, args) => dispatch(session.driver, principal, ctx.gate, m, args, ctx.streams),
      ));
  };
}

/**
 * HTTP sessions, the HTTP twin of the RPC socket (each a driver connection of its own, as a
 * libvirtd client has):
 *
 * - `POST /v1/sessions` with `{"uri": "test:///default"}` opens one: `201` with `{session, type,
 *   uri, methods}`. The session id is no credential: every request still carries the caller's
 *   token, and only the caller who opened a session may use it.
 * - `POST /v1/sessions/{id}/call/{method}` with the JSON arguments: a driver call. Its answer
 *   names the newest event it caused in `X-Edgevirt-Last-Event-ID` (see `markEvents`).
 * - `GET /v1/sessions/{id}/events`: the session's events as Server-Sent Events.
 * - `DELETE /v1/sessions/{id}`: closes it (`204`), once its driver connection is closed.
 *
 * A session unused for `limits.sessionIdleMs` (and with no event stream open) is closed.
 *
 * @example
 * ```ts ignore
 * sessionRoutes(app, { sessions, auth, gate, limits });
 * ```
 */
export function sessionRoutes<E extends Env>(app: Hono<E>, ctx: SessionRoutesContext): void {
  const { sessions, limits } = ctx;
  const who = (req: Request) => authenticate(ctx.auth, req.headers);

  app.post("/v1/sessions", async (c) => {
    const principal = await who(c.req.raw);
    let uri: unknown;
    try {
      uri = (await c.req.json() as { uri?: unknown })?.uri;
    } catch {
      throw VirError.report("RPC", "INVALID_ARG", "open: the body is not valid JSON");
    }
    const s = await sessions.open({ kind: "http", uri: uri as string, owner: principal });
    return json({ session: s.id, ...describe(s.driver, s.uri) }, 201);
  });

  const call = sessionCall(ctx);
  app.post(
    "/v1/sessions/:id/call/:method",
    (c) => call(c.req.raw, c.req.param("id"), c.req.param("method")),
  );

  app.get("/v1/sessions/:id/events", async (c) => {
    const { principal, session } = await own(ctx, c.req.raw, c.req.param("id"));
    if (sessions.streams >= limits.maxStreams) {
      throw VirError.report("RPC", "RESOURCE_BUSY", "too many event streams");
    }
    return sseResponse(session.events, principal, c.req.header("last-event-id") ?? null);
  });

  app.delete("/v1/sessions/:id", async (c) => {
    const { session } = await own(ctx, c.req.raw, c.req.param("id"));
    await sessions.close(session);
    return new Response(null, { status: 204 });
  });
}
