import type { DriverEvent } from "../../util/driver.ts";
import type { GatewayHttp } from "./http.ts";
import { parseSse } from "./sse.ts";

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5000;

/**
 * The gateway's event stream for one driver, as one long `fetch` of Server-Sent Events. It
 * reconnects on its own (exponential back-off, the server's `retry:` as the floor) and resumes
 * with `Last-Event-ID`, so events raised while the link was down are replayed from the
 * gateway's ring buffer. `ready` settles once the stream is live, which lets the remote driver
 * hold back calls until the events they cause can no longer be missed.
 *
 * @example
 * ```ts
 * import { EventStream } from "./event_stream.ts";
 * const http = { fetch, origin: "http://127.0.0.1:16510", timeoutMs: 5000 };
 * const stream = new EventStream(http, "/v1/test/default/events", (ev) => console.log(ev));
 * stream.close();
 * ```
 */
export class EventStream {
  #http: GatewayHttp;
  #path: string;
  #deliver: (ev: DriverEvent) => void;
  #abort = new AbortController();
  #lastId: string | undefined;
  #retryMs = MIN_BACKOFF_MS;
  #markReady!: () => void;
  /** Settles when the first connection is live, or when the stream is closed. */
  readonly ready: Promise<void>;

  constructor(http: GatewayHttp, path: string, deliver: (ev: DriverEvent) => void) {
    this.#http = http;
    this.#path = path;
    this.#deliver = deliver;
    this.ready = new Promise((resolve) => (this.#markReady = resolve));
    this.#run();
  }

  /** Ends the stream for good. */
  close(): void {
    this.#abort.abort();
    this.#markReady();
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    let backoff = MIN_BACKOFF_MS;
    while (!signal.aborted) {
      try {
        await this.#connectOnce(signal, () => (backoff = MIN_BACKOFF_MS));
      } catch {
        // A dropped or refused link: fall through to the reconnect delay.
      }
      if (signal.aborted) break;
      await sleep(Math.max(backoff, this.#retryMs), signal);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }

  async #connectOnce(signal: AbortSignal, onLive: () => void): Promise<void> {
    const headers = new Headers({ accept: "text/event-stream" });
    if (this.#http.token) headers.set("authorization", `Bearer ${this.#http.token}`);
    if (this.#lastId !== undefined) headers.set("last-event-id", this.#lastId);
    const res = await this.#http.fetch(this.#http.origin + this.#path, { headers, signal });
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      // A refused stream (bad token, no events) would refuse again: do not hold calls back.
      this.#markReady();
      return;
    }
    for await (const msg of parseSse(res.body, signal)) {
      if (msg.retry !== undefined) this.#retryMs = msg.retry;
      if (msg.event === "ready") {
        onLive();
        this.#markReady();
        if (this.#lastId === undefined) this.#lastId = JSON.parse(msg.data).lastEventId;
        continue;
      }
      if (msg.id !== undefined) this.#lastId = msg.id;
      if (msg.event === "event") this.#deliver(JSON.parse(msg.data) as DriverEvent);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
