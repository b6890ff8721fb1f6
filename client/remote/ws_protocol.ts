/**
 * The gateway's RPC-over-WebSocket protocol: one socket per remote connection at
 * `GET /v1/{driver}/{path}/rpc`, JSON text messages correlated by `id`, so many calls can be in
 * flight at once and answers come back in any order. Events travel on the same socket. The
 * gateway imports these types too: they are the single definition of the wire format.
 *
 * Client → gateway:
 * - `{"auth": TOKEN}`: the bearer token, as the first message (browsers cannot set headers on
 *   a WebSocket, and a token in the URL would end up in logs). A `bearer.TOKEN` subprotocol is
 *   accepted too.
 * - `{"id", "method", "args"}`: a driver call, as `POST …/call/{method}` with `args` as body.
 * - `{"id", "describe": true}`: what `GET /v1/{driver}/{path}` answers (type, URI, methods).
 * - `{"id", "subscribe": LAST_EVENT_ID | null}`: start the event stream, replaying what came
 *   after `LAST_EVENT_ID` (null: from now on), like SSE's `Last-Event-ID`.
 * - `{"id", "unsubscribe": true}`.
 *
 * Gateway → client: `{"id", "result"?}` or `{"id", "error": VirErrorJSON}` per request, and
 * `{"eid", "event"}` per event (`eid` is the resume id).
 *
 * @example
 * ```ts
 * import { RPC_SUBPROTOCOL, type WsRequest } from "./ws_protocol.ts";
 * const call: WsRequest = { id: 1, method: "connectListAllDomains", args: [0] };
 * const socket = new WebSocket("ws://127.0.0.1:16510/v1/test/default/rpc", RPC_SUBPROTOCOL);
 * socket.onopen = () => socket.send(JSON.stringify(call));
 * ```
 * @module
 */
import type { DriverEvent } from "../../util/driver.ts";
import type { VirErrorJSON } from "../../util/errors.ts";

/** The subprotocol both sides name in the handshake. */
export const RPC_SUBPROTOCOL = "edgevirt.rpc.v1";

/** The path of the RPC socket under a served driver's base (`/v1/test/default/rpc`). */
export const RPC_SOCKET_PATH = "rpc";

/** A message from the client. */
export type WsRequest =
  | { auth: string }
  | { id: number; method: string; args: unknown[] }
  | { id: number; describe: true }
  | { id: number; subscribe: string | null }
  | { id: number; unsubscribe: true };

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
