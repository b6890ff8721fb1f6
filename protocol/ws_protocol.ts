/**
 * The gateway's RPC-over-WebSocket protocol: one socket per remote connection at
 * `GET /v1/rpc`, JSON text messages correlated by `id`, so many calls can be in flight at once
 * and answers come back in any order. The socket is a session, as a libvirtd client connection
 * is: it opens its own driver connection with the URI the client names, and closing the socket
 * (or a `close` request) closes that connection. Events travel on the same socket. The gateway
 * imports these types too: they are the single definition of the wire format.
 *
 * Client → gateway:
 * - `{"auth": TOKEN}`: the bearer token, as the first message (browsers cannot set headers on
 *   a WebSocket, and a token in the URL would end up in logs). A `bearer.TOKEN` subprotocol is
 *   accepted too.
 * - `{"id", "open": URI}`: open the session's driver connection (`test:///default`), answered
 *   with its type, URI and callable methods. Once per socket, before anything below.
 * - `{"id", "method", "args"}`: a driver call, as `POST …/call/{method}` with `args` as body.
 * - `{"id", "subscribe": LAST_EVENT_ID | null}`: start the session's event stream, replaying
 *   what came after `LAST_EVENT_ID` (null: from now on), like SSE's `Last-Event-ID`.
 * - `{"id", "unsubscribe": true}`.
 * - `{"id", "close": true}`: close the driver connection (answered once it is closed, so a
 *   reopen right after sees a `test:///default` reset); the gateway then closes the socket.
 *
 * Gateway → client: `{"id", "result"?}` or `{"id", "error": VirErrorJSON}` per request, and
 * `{"eid", "event"}` per event (`eid` is the resume id). The events a call causes are sent
 * before its answer, as libvirtd queues them ahead of the reply: a client that handles frames
 * in order has them before the call's result.
 *
 * @example
 * ```ts
 * import { RPC_SUBPROTOCOL, type WsRequest } from "./ws_protocol.ts";
 * const open: WsRequest = { id: 1, open: "test:///default" };
 * const socket = new WebSocket("ws://127.0.0.1:16510/v1/rpc", RPC_SUBPROTOCOL);
 * socket.onopen = () => socket.send(JSON.stringify(open));
 * ```
 * @module
 */
import type { DriverEvent } from "../util/driver.ts";
import type { VirErrorJSON } from "../util/errors.ts";

/**
 * The subprotocol both sides name in the handshake. v2: the socket is a session that opens its
 * own URI; a v1 client gets no handshake and falls back to HTTP.
 */
export const RPC_SUBPROTOCOL = "edgevirt.rpc.v2";

/** The RPC socket's path (`/v1/rpc`). */
export const RPC_SOCKET_PATH = "/v1/rpc";

/** Where a stream call's data goes: `${STREAM_PATH}/{id}` (GET reads it, PUT sends it). */
export const STREAM_PATH = "/v1/streams";

/** A message from the client. */
export type WsRequest =
  | { auth: string }
  | { id: number; method: string; args: unknown[] }
  | { id: number; open: string }
  | { id: number; subscribe: string | null }
  | { id: number; unsubscribe: true }
  | { id: number; close: true };

/** The answer to a `subscribe`: the resume id of "now", and whether the replay had a gap. */
export interface WsSubscribed {
  ready: string;
  gap: boolean;
}

/** A message from the gateway. */
export type WsResponse =
  | { id: number; result?: unknown }
  | { id: number; error: VirErrorJSON }
  | { eid: string; event: DriverEvent };

const REQUEST_FIELDS: Record<string, (v: unknown) => boolean> = {
  method: (v) => typeof v === "string",
  open: (v) => typeof v === "string",
  subscribe: (v) => v === null || typeof v === "string",
  unsubscribe: (v) => v === true,
  close: (v) => v === true,
};

/**
 * What is wrong with a parsed client message, or undefined when it is a {@link WsRequest}: an
 * object with a string `auth`, or a numeric `id` and exactly one well-typed request field
 * (`args` an array for `method`). The gateway refuses anything else before acting on it.
 *
 * @example
 * ```ts
 * import { wsRequestProblem } from "./ws_protocol.ts";
 * wsRequestProblem({ id: 2, subscribe: 1 }); // "subscribe must be a string or null"
 * wsRequestProblem({ id: 3, method: "connectGetVersion", args: [] }); // undefined
 * ```
 */
export function wsRequestProblem(msg: unknown): string | undefined {
  if (typeof msg !== "object" || msg === null || Array.isArray(msg)) return "not a request";
  const m = msg as Record<string, unknown>;
  if ("auth" in m) return typeof m.auth === "string" ? undefined : "auth must be a string";
  if (typeof m.id !== "number" || !Number.isSafeInteger(m.id)) return "a request needs an id";
  const kinds = Object.keys(REQUEST_FIELDS).filter((k) => k in m);
  if (kinds.length !== 1) return "a request names exactly one of " + Object.keys(REQUEST_FIELDS);
  const [kind] = kinds;
  if (!REQUEST_FIELDS[kind](m[kind])) {
    return kind === "subscribe"
      ? "subscribe must be a string or null"
      : `${kind} must be ${kind === "method" || kind === "open" ? "a string" : "true"}`;
  }
  if (kind === "method" && !Array.isArray(m.args)) return "args must be an array";
  return undefined;
}
