import { namedEvent } from "./enum_names.ts";
import { EVENT_MARK_HEADER, parseEventId } from "../protocol/event_id.ts";
import type { DriverEvent } from "../util/driver.ts";
import { objectAllows, type Principal } from "./acl.ts";
import type { EventLog, LoggedEvent } from "./event_log.ts";
import { WsCloser } from "./ws_close.ts";
import { refSubject } from "./subject.ts";
import { upgradeWebSocket } from "./ws_upgrade.ts";

const HEARTBEAT_MS = 15_000;
const RETRY_MS = 250;

/** Whether the caller may see an event: the same read rule as for looking the object up. */
export function canSee(p: Principal, ev: DriverEvent): boolean {
  return !p.rules || objectAllows(p, "read", refSubject(ev.family, ev.ref));
}

/** The SSE/WebSocket id of a logged event: `<boot>.<n>`. */
export function eventId(log: EventLog, e: LoggedEvent): string {
  return `${log.boot}.${e.id}`;
}

/** The sequence number to resume after, from a `Last-Event-ID`; 0 = replay what is retained. */
export function resumePoint(log: EventLog, lastEventId: unknown): number {
  // Only a string names a point; anything else a client sends means "from now".
  if (!lastEventId || typeof lastEventId !== "string") return log.lastId;
  const id = parseEventId(lastEventId);
  return id?.boot === log.boot ? id.n : 0;
}

/**
 * Runs one HTTP call and names, in the {@link EVENT_MARK_HEADER} of its answer, the newest event
 * logged while it ran that the caller may see: the caller's SSE stream travels on another
 * connection, so the answer can overtake the events the call caused, and the client holds the
 * result until its stream has delivered that id. Events of other sessions logged meanwhile may
 * be named too: waiting for them is harmless. No header when no such event was logged.
 *
 * @example
 * ```ts ignore
 * return markEvents(session.events, principal, () => callRoute(method, body, run));
 * ```
 */
export async function markEvents(
  log: EventLog,
  principal: Principal,
  run: () => Promise<Response>,
): Promise<Response> {
  const before = log.lastId;
  const res = await run();
  if (log.lastId === before) return res;
  const caused = log.since(before).events;
  const last = caused.findLast((e) => canSee(principal, e.event));
  if (last) res.headers.set(EVENT_MARK_HEADER, eventId(log, last));
  return res;
}

/**
 * A Server-Sent-Events response for one caller: replays what it missed after `Last-Event-ID`,
 * announces `ready`, then streams live events it may see, with a heartbeat so proxies keep the
 * connection open.
 *
 * @example
 * ```ts ignore
 * return sseResponse(log, principal, req.headers.get("last-event-id"));
 * ```
 */
export function sseResponse(
  log: EventLog,
  principal: Principal,
  lastEventId: string | null,
): Response {
  const enc = new TextEncoder();
  let off = () => {};
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (s: string) => controller.enqueue(enc.encode(s));
      const forward = (e: LoggedEvent) => {
        if (canSee(principal, e.event)) {
          send(
            `id: ${eventId(log, e)}\nevent: event\ndata: ${
              JSON.stringify(namedEvent(e.event))
            }\n\n`,
          );
        }
      };
      const { events, gap } = log.since(resumePoint(log, lastEventId));
      send(`retry: ${RETRY_MS}\n\n`);
      if (gap) send(`event: gap\ndata: {}\n\n`);
      events.forEach(forward);
      off = log.on(forward);
      send(
        `event: ready\ndata: ${JSON.stringify({ lastEventId: `${log.boot}.${log.lastId}` })}\n\n`,
      );
      heartbeat = setInterval(() => send(": ping\n\n"), HEARTBEAT_MS);
    },
    cancel() {
      off();
      clearInterval(heartbeat);
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream",
      "cache-control": "no-store",
      "x-accel-buffering": "no",
    },
  });
}

/**
 * The same stream over a WebSocket (Deno's server API): one JSON text message per event,
 * `{"id", "event"}`, after a `{"ready": lastEventId}` message. Resume with `?lastEventId=`.
 */
export function wsResponse(
  req: Request,
  log: EventLog,
  principal: Principal,
  protocol: string | undefined,
): Response {
  const { socket, response } = upgradeWebSocket(req, protocol ? { protocol } : {});
  const closer = new WsCloser(socket);
  // The stream reads nothing; a client's messages only delay a close until it is quiet.
  socket.onmessage = () => closer.heard();
  let off = () => {};
  socket.onopen = () => {
    const forward = (e: LoggedEvent) => {
      if (canSee(principal, e.event) && socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify({ id: eventId(log, e), event: namedEvent(e.event) }));
      }
    };
    const from = resumePoint(log, new URL(req.url).searchParams.get("lastEventId"));
    log.since(from).events.forEach(forward);
    off = log.on(forward, () => closer.close(1001, "gateway stopping"));
    socket.send(JSON.stringify({ ready: `${log.boot}.${log.lastId}` }));
  };
  socket.onclose = () => off();
  return response;
}
