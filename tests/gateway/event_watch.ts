/**
 * The event side of the forbidden-change check: a refused call must change nothing, and so emit
 * no event either. A watch listens on the three ways events leave the gateway — an RPC
 * WebSocket subscription, the Server-Sent Events route and the portable client's callbacks
 * (`eventRegisterAny` over HTTP) — as a full caller who sees every event. Since "no event yet"
 * proves nothing, {@link EventWatch.settle} waits for the driver calls under way to end (the
 * gateway's `/metrics` gauge), makes an event of its own (a domain defined and undefined again)
 * and waits for it on every channel: what each channel saw before it is what the calls emitted.
 *
 * @module
 */
import { connect } from "../../host.ts";
import type { Gateway } from "../../gateway/app.ts";
import type { DriverEvent } from "../../util/driver.ts";
import type { Connection } from "../../client/connection.ts";
import { VIR } from "../../util/constants.ts";
import { waitFor } from "../wait.ts";
import { inProcessFetch, type RawRpcSocket, rawRpcSocket, TOKENS } from "./helpers.ts";

/** What a watch needs of the served URI. */
export interface WatchedUri {
  /** The URI served (`test:///default`). */
  uri: string;
  /** A domain document of that driver named `name`, for the settling event. */
  domainXml(name: string): string;
}

/** The ways events leave the gateway. */
type Channel = "ws" | "sse" | "client";

/** Listens for events on every channel (see the module). */
export interface EventWatch {
  /**
   * The events emitted since the last settle, on any channel (`channel: family event object`),
   * once the watch's own event reached every channel.
   */
  settle(): Promise<string[]>;
  /** Stops listening. */
  close(): Promise<void>;
}

/** An event as the watch compares them: family, id, callback data, object name (or UUID). */
interface Seen {
  family: string;
  eventId: number;
  data: Record<string, unknown>;
  name: string;
}

/** A driver event as {@link Seen}. */
function seenOf(ev: DriverEvent): Seen {
  const ref = ev.ref as { name?: string; uuid?: string };
  return {
    family: ev.family,
    eventId: ev.eventId,
    data: ev.data,
    name: ref.name ?? ref.uuid ?? "",
  };
}

/** The events of an SSE body's `event: event` messages, as they arrive, until it is cancelled. */
async function readSse(text: ReadableStreamDefaultReader<string>, out: Seen[]): Promise<void> {
  let buf = "";
  for (;;) {
    const { done, value } = await text.read().catch(() => ({ done: true, value: undefined }));
    if (done) return;
    buf += value;
    let end;
    while ((end = buf.indexOf("\n\n")) >= 0) {
      const msg = buf.slice(0, end);
      buf = buf.slice(end + 2);
      const data = /^data: (.*)$/m.exec(msg)?.[1];
      if (/^event: event$/m.test(msg) && data) out.push(seenOf(JSON.parse(data)));
    }
  }
}

/**
 * Starts watching the events of `served` on gateway `gw`, whose RPC sockets listen on `port`,
 * through the route prefix `base` (`/v1/test/default`).
 */
export async function watchEvents(
  gw: Gateway,
  port: number,
  base: string,
  served: WatchedUri,
): Promise<EventWatch> {
  const auth = { authorization: `Bearer ${TOKENS.full}` };
  const ws: RawRpcSocket = await rawRpcSocket(port, TOKENS.full, served.uri);
  await ws.opened;
  const subscribed = await ws.request({ subscribe: null });
  if (subscribed.error) throw new Error(`subscribe: ${JSON.stringify(subscribed.error)}`);
  const sse = await gw.fetch(new Request(`http://127.0.0.1${base}/events`, { headers: auth }));
  // Cancelled through its reader: an in-process request has no connection whose end stops it.
  const sseReader = sse.body!.pipeThrough(new TextDecoderStream()).getReader();
  const sseEvents: Seen[] = [];
  const sseDone = readSse(sseReader, sseEvents);
  const u = new URL(served.uri);
  const clientUri = `${u.protocol.slice(0, -1)}+http://gateway.test${u.pathname}`;
  const client: Connection = await connect(clientUri, {
    token: TOKENS.full,
    fetch: inProcessFetch(gw),
  });
  const clientEvents: Seen[] = [];
  const callback = client.eventRegisterAny({}, (ev) => {
    const o = ev.object as unknown as { name?: string; uuid?: string };
    clientEvents.push({
      family: ev.family,
      eventId: ev.eventId,
      data: ev.data,
      name: o.name ?? o.uuid ?? "",
    });
  });
  const channels: Record<Channel, () => Seen[]> = {
    ws: () => ws.events.map((e) => seenOf(e.event)),
    sse: () => sseEvents,
    client: () => clientEvents,
  };
  // How far each channel's list had been read at the last settle.
  const seen: Record<Channel, number> = { ws: 0, sse: 0, client: 0 };
  let settled = 0;
  const call = async (method: string, args: unknown[]) => {
    const res = await gw.fetch(
      new Request(`http://127.0.0.1${base}/call/${method}`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify(args),
      }),
    );
    const body = await res.json();
    if (!res.ok) throw new Error(`${method}: ${JSON.stringify(body)}`);
    return body.result;
  };
  // A call goes on in the driver after its caller went away (a socket closed by its next, bad
  // frame): its events are the run's, so the settle waits for the driver's calls to end.
  const idle = async () => {
    const res = await gw.fetch(new Request("http://127.0.0.1/metrics", { headers: auth }));
    const text = await res.text();
    return /^edgevirt_driver_calls_in_progress 0$/m.test(text);
  };
  return {
    async settle() {
      await waitFor(idle, 30000, 5, "the end of the driver calls under way");
      const name = `ev-settle-${++settled}`;
      const dom = await call("domainDefineXMLFlags", [served.domainXml(name), 0]);
      await call("domainUndefineFlags", [dom, 0]);
      const isSettle = (e: Seen) =>
        e.name === name && e.family === "domain" &&
        e.eventId === VIR.DOMAIN_EVENT_ID_LIFECYCLE && e.data.event === VIR.DOMAIN_EVENT_UNDEFINED;
      const out: string[] = [];
      for (const channel of Object.keys(channels) as Channel[]) {
        let at = -1;
        await waitFor(
          () =>
            (at = channels[channel]().findIndex((e, i) => i >= seen[channel] && isSettle(e))) >= 0,
          10000,
          5,
          `the settling event on ${channel}`,
        );
        for (const e of channels[channel]().slice(seen[channel], at)) {
          if (e.name !== name) {
            out.push(`${channel}: ${e.family} ${e.eventId} ${JSON.stringify(e.data)} ${e.name}`);
          }
        }
        seen[channel] = at + 1;
      }
      return out;
    },
    async close() {
      client.eventDeregisterAny(callback);
      await client.close();
      await sseReader.cancel();
      await sseDone;
      ws.close();
      await ws.closed;
    },
  };
}
