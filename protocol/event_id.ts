/**
 * Event ids as the gateway numbers a session's events, on every channel (SSE `id:`, the RPC
 * socket's `eid`, `Last-Event-ID`): `<boot>.<n>`, where `boot` names one event log (one
 * session of one gateway run) and `n` counts its events from 1. Over HTTP, the answer to a call
 * carries {@link EVENT_MARK_HEADER}: the id of the newest event the caller may see that was
 * logged while the call ran, so a client reading events on a second connection (SSE) can hold
 * the call's result until its stream has delivered that event.
 *
 * @example
 * ```ts
 * import { parseEventId } from "./event_id.ts";
 * parseEventId("3f2a9c1e.12"); // { boot: "3f2a9c1e", n: 12 }
 * ```
 * @module
 */

/** The reply header naming the newest event a call may have caused (`<boot>.<n>`). */
export const EVENT_MARK_HEADER = "X-Edgevirt-Last-Event-ID";

/** An event id, split. */
export interface EventId {
  /** The event log it belongs to. */
  boot: string;
  /** Its sequence number in that log, from 1 (0 = before the first event). */
  n: number;
}

/** Splits `<boot>.<n>`; `undefined` for anything else. */
export function parseEventId(id: string | null | undefined): EventId | undefined {
  const m = /^([^.]+)\.(\d+)$/.exec(id ?? "");
  return m ? { boot: m[1], n: Number(m[2]) } : undefined;
}
