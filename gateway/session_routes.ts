import type { Env, Hono } from "hono";
import { VirError } from "../util/errors.ts";
import { type AuthConfig, authenticate } from "./auth.ts";
import { callRoute, describe, dispatch } from "./dispatch.ts";
import { jsonResponse } from "./http_status.ts";
import { markEvents, sseResponse } from "./event_stream.ts";
import type { CallGate, Limits } from "./limits.ts";
import type { SessionTable } from "./session_table.ts";

/** What the session routes share with the rest of the gateway. */
export interface SessionRoutesContext {
  sessions: SessionTable;
  auth: AuthConfig;
  gate: CallGate;
  limits: Limits;
}

const json = jsonResponse;

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
  const { sessions, gate, limits } = ctx;
  const who = (req: Request) => authenticate(ctx.auth, req.headers);
  const own = async (req: Request, id: string) => {
    const principal = await who(req);
    return { principal, session: sessions.http(id, principal) };
  };

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

  app.post("/v1/sessions/:id/call/:method", async (c) => {
    const { principal, session } = await own(c.req.raw, c.req.param("id"));
    return markEvents(session.events, principal, () =>
      callRoute(
        c.req.param("method"),
        () => c.req.json(),
        (method, args) => dispatch(session.driver, principal, gate, method, args),
      ));
  });

  app.get("/v1/sessions/:id/events", async (c) => {
    const { principal, session } = await own(c.req.raw, c.req.param("id"));
    if (sessions.streams >= limits.maxStreams) {
      throw VirError.report("RPC", "RESOURCE_BUSY", "too many event streams");
    }
    return sseResponse(session.events, principal, c.req.header("last-event-id") ?? null);
  });

  app.delete("/v1/sessions/:id", async (c) => {
    const { session } = await own(c.req.raw, c.req.param("id"));
    await sessions.close(session);
    return new Response(null, { status: 204 });
  });
}
