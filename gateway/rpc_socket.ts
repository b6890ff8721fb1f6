import type { WsRequest, WsSubscribed } from "../protocol/ws_protocol.ts";
import { RPC_SUBPROTOCOL, wsRequestProblem } from "../protocol/ws_protocol.ts";
import type { DriverMethod } from "../util/driver.ts";
import { VirError } from "../util/errors.ts";
import { isCallable } from "./access.ts";
import type { Principal } from "./acl.ts";
import { type AuthConfig, authenticate, hasBearerToken } from "./auth.ts";
import { describe, dispatch } from "./dispatch.ts";
import { canSee, eventId, resumePoint } from "./event_stream.ts";
import type { LoggedEvent } from "./event_log.ts";
import { asVirError } from "./http_status.ts";
import type { CallGate, Limits } from "./limits.ts";
import type { Session } from "./session.ts";
import type { SessionTable } from "./session_table.ts";
import type { StreamTable } from "./stream_table.ts";
import { WsCloser } from "./ws_close.ts";
import { upgradeWebSocket } from "./ws_upgrade.ts";

/** What an RPC socket shares with the rest of the gateway. */
export interface RpcSocketContext {
  sessions: SessionTable;
  auth: AuthConfig;
  gate: CallGate;
  limits: Limits;
  /** Where stream calls leave their streams for the data request. */
  streams: StreamTable;
  /**
   * Open RPC sockets of the whole gateway: authenticated ones against `limits.maxSockets`, the
   * rest against `limits.maxUnauthenticatedSockets`.
   */
  sockets: { open: number; unauthenticated: number };
}

/** WebSocket close code for a socket that broke the gateway's rules (RFC 6455 1008). */
const CLOSE_POLICY = 1008;
/** WebSocket close code for a message the gateway cannot read (RFC 6455 1007/1009 style). */
const CLOSE_UNREADABLE = 1007;
const CLOSE_TOO_BIG = 1009;

/**
 * Serves one RPC WebSocket (protocol in `protocol/ws_protocol.ts`), a session: its `open`
 * request opens the session's own driver connection, which lives until a `close` request or
 * the socket's end. The same authentication, method whitelist, argument validation, ACLs and
 * limits apply as on the HTTP routes, with every call dispatched as soon as it arrives, so
 * calls in flight on one socket run concurrently and are answered by id in completion order.
 * Events of the session's connection follow on the same socket after a `subscribe`, each
 * written as the driver raises it: the driver delivers a call's events before the call settles,
 * so they go out ahead of its answer.
 *
 * The token comes from the first message (`{"auth"}`) or a `bearer.` subprotocol. Until one
 * is presented and accepted, every request (`open` included) is answered with libvirt's
 * `VIR_ERR_AUTH_FAILED`, so an unauthenticated socket can do nothing.
 *
 * @example
 * ```ts ignore
 * app.get("/v1/rpc", (c) => rpcSocket(c.req.raw, context));
 * ```
 */
export function rpcSocket(req: Request, ctx: RpcSocketContext): Response {
  if (ctx.sockets.unauthenticated >= ctx.limits.maxUnauthenticatedSockets) {
    throw VirError.report("RPC", "RESOURCE_BUSY", "too many unauthenticated RPC sockets");
  }
  if (ctx.sockets.open >= ctx.limits.maxSockets) {
    throw VirError.report("RPC", "RESOURCE_BUSY", "too many RPC sockets");
  }
  const offered = (req.headers.get("sec-websocket-protocol") ?? "").split(",").map((p) => p.trim());
  // The request is consumed by the upgrade: authenticate from its headers now.
  const fromHeaders = hasBearerToken(req.headers) ? authenticate(ctx.auth, req.headers) : undefined;
  // A browser fails the handshake unless the server picks one of the offered subprotocols.
  const { socket, response } = upgradeWebSocket(
    req,
    offered.includes(RPC_SUBPROTOCOL) ? { protocol: RPC_SUBPROTOCOL } : {},
  );
  // Every close is the closer's: a plain `socket.close()` loses its frame to the client's next one.
  const closer = new WsCloser(socket);
  // Anonymous until a token is accepted: counted apart, and closed unless one comes in time.
  ctx.sockets.unauthenticated++;
  let counted: "unauthenticated" | "open" = "unauthenticated";
  const deadline = setTimeout(
    () => closer.close(CLOSE_POLICY, "no accepted token in time"),
    ctx.limits.authTimeoutMs,
  );
  const { sessions, gate, limits } = ctx;
  const maxChars = limits.maxBodyBytes;
  let principal: Principal | undefined;
  let pending: Promise<Principal> | undefined;
  let unsubscribe: (() => void) | undefined;
  /** The session, once `open` succeeded; `opening` orders requests sent right after `open`. */
  let session: Session | undefined;
  let opening: Promise<Session> | undefined;
  let ended = false;

  const send = (text: string) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(text);
  };
  const answer = (id: number, result: unknown) =>
    send(JSON.stringify(result === undefined ? { id } : { id, result }));
  const fail = (id: number, e: unknown) => send(JSON.stringify({ id, error: asVirError(e) }));

  const setPrincipal = (p: Promise<Principal>) => {
    pending = p;
    p.then((ok) => {
      principal = ok;
      if (counted !== "unauthenticated" || ended) return;
      clearTimeout(deadline);
      ctx.sockets.unauthenticated--;
      ctx.sockets.open++;
      counted = "open";
    }, () => {});
  };
  if (fromHeaders) setPrincipal(fromHeaders);
  else if (ctx.auth === "none") setPrincipal(authenticate(ctx.auth, req.headers));

  const open = (id: number, uri: unknown, who: Principal) => {
    if (opening) {
      return fail(id, VirError.report("RPC", "OPERATION_INVALID", "the connection is open"));
    }
    opening = sessions.open({ kind: "websocket", uri: uri as string, owner: who });
    opening.then((s) => {
      // The socket may have gone while the driver connection was opening.
      if (ended) return sessions.close(s);
      session = s;
      answer(id, describe(s.driver, s.uri));
    }, (e) => {
      opening = undefined;
      fail(id, e);
    });
  };

  const end = async (): Promise<void> => {
    unsubscribe?.();
    unsubscribe = undefined;
    const s = await opening?.catch(() => undefined);
    if (s) await sessions.close(s);
  };

  /** One request with an id (the `auth` message never gets here). */
  const handle = (msg: Exclude<WsRequest, { auth: string }>, who: Principal): void => {
    // Nobody to answer. And a socket that ended while its `open` was pending never gets its
    // session: a request waiting for it would requeue itself on the settled `opening` for
    // ever, a microtask loop that starved the whole gateway.
    if (ended) return;
    if ("open" in msg) return open(msg.id, msg.open, who);
    if (!session) {
      // Requests pipelined behind an `open` wait for it; without one there is no connection.
      if (opening) {
        const retry = () => handle(msg, who);
        opening.then(retry, retry);
        return;
      }
      return fail(msg.id, VirError.report("RPC", "INVALID_CONN", "no connection: open one first"));
    }
    const s = session;
    if ("method" in msg) {
      const { id, method } = msg;
      if (typeof method !== "string" || !isCallable(method)) {
        return fail(id, VirError.report("RPC", "RPC", `unknown procedure: ${method}`));
      }
      dispatch(s.driver, who, gate, method as DriverMethod, msg.args, ctx.streams).then(
        (result) => answer(id, result),
        (e) => fail(id, e),
      );
    } else if ("subscribe" in msg) {
      // A second subscribe restarts the stream from the given id (a client resuming).
      unsubscribe?.();
      unsubscribe = undefined;
      if (sessions.streams >= limits.maxStreams) {
        return fail(msg.id, VirError.report("RPC", "RESOURCE_BUSY", "too many event streams"));
      }
      answer(msg.id, subscribe(s, msg.subscribe, who));
    } else if ("unsubscribe" in msg) {
      unsubscribe?.();
      unsubscribe = undefined;
      answer(msg.id, undefined);
    } else if ("close" in msg) {
      end().then(() => {
        answer(msg.id, undefined);
        closer.close(1000);
      }, (e) => fail(msg.id, e));
    }
  };

  const subscribe = (s: Session, lastEventId: string | null, who: Principal): WsSubscribed => {
    const log = s.events;
    const forward = (e: LoggedEvent) => {
      if (canSee(who, e.event)) send(JSON.stringify({ eid: eventId(log, e), event: e.event }));
    };
    const { events, gap } = log.since(resumePoint(log, lastEventId));
    events.forEach(forward);
    unsubscribe = log.on(forward, () => closer.close(1001, "gateway stopping"));
    return { ready: `${log.boot}.${log.lastId}`, gap };
  };

  socket.onmessage = (e) => {
    // Frames behind a refused one are the client's last words: not read.
    if (closer.closing) return closer.heard();
    if (typeof e.data !== "string") return closer.close(CLOSE_UNREADABLE, "text messages only");
    if (e.data.length > maxChars && new TextEncoder().encode(e.data).length > maxChars) {
      return closer.close(CLOSE_TOO_BIG, `message exceeds ${maxChars} bytes`);
    }
    let msg: WsRequest;
    try {
      msg = JSON.parse(e.data);
    } catch {
      return closer.close(CLOSE_UNREADABLE, "not JSON");
    }
    const problem = wsRequestProblem(msg);
    if (problem) {
      // A well-numbered request gets an answer; anything else ends the socket.
      const id = (msg as { id?: unknown })?.id;
      if (typeof id !== "number" || !Number.isSafeInteger(id) || !principal) {
        return closer.close(CLOSE_UNREADABLE, problem);
      }
      return fail(id, VirError.report("RPC", "INVALID_ARG", problem));
    }
    if ("auth" in msg) {
      if (!pending) {
        setPrincipal(authenticate(ctx.auth, tokenHeaders(msg.auth)));
      }
      return;
    }
    // Requests without a token first: the same 401 the HTTP routes give.
    if (!pending) setPrincipal(authenticate(ctx.auth, tokenHeaders(undefined)));
    if (principal) return handle(msg, principal);
    // Awaiting the one promise keeps the requests in their arrival order.
    const id = msg.id;
    pending!.then((who) => handle(msg, who), (err) => fail(id, err));
  };
  socket.onclose = () => {
    clearTimeout(deadline);
    ctx.sockets[counted]--;
    ended = true;
    end().catch(() => {});
  };
  return response;
}

/** Headers carrying a token from the socket's first message, for {@link authenticate}. */
function tokenHeaders(token: unknown): Headers {
  return new Headers(
    typeof token === "string" && token ? { authorization: `Bearer ${token}` } : {},
  );
}
