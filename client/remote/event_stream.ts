import type { DriverEvent } from "../../util/driver.ts";
import type { GatewayHttp } from "./http.ts";
import { parseSse } from "./sse.ts";
import { type EventId, parseEventId } from "../../protocol/event_id.ts";

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
  /** Calls holding their result until the stream delivered an event (see {@link reached}). */
  #waiters = new Set<{ mark: EventId; release(): void }>();
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
    this.#releaseAll();
  }

  /**
   * Settles once the stream has delivered the event `id` (a call's event mark), so a call's
   * result follows the events it caused. Settles at once for an id of another log (a restarted
   * gateway), and without it when the stream is closed or refused or after the call deadline:
   * a lost stream must not hang calls, whose events then come late or not at all.
   */
  reached(id: string): Promise<void> {
    const mark = parseEventId(id);
    if (!mark || this.#abort.signal.aborted || this.#covers(this.#lastId, mark)) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const waiter = {
        mark,
        release: () => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(waiter.release, this.#http.timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** Whether everything up to `mark` was delivered once the stream is at `id`. */
  #covers(id: string | undefined, mark: EventId): boolean {
    const at = parseEventId(id);
    return !at || at.boot !== mark.boot || at.n >= mark.n;
  }

  /** Releases the calls waiting for events up to `id`. */
  #release(id: string): void {
    for (const w of this.#waiters) if (this.#covers(id, w.mark)) w.release();
  }

  #releaseAll(): void {
    for (const w of this.#waiters) w.release();
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
    const headers: Record<string, string> = { accept: "text/event-stream" };
    if (this.#http.token) headers.authorization = `Bearer ${this.#http.token}`;
    if (this.#lastId !== undefined) headers["last-event-id"] = this.#lastId;
    const res = await this.#http.fetch(this.#http.origin + this.#path, { headers, signal });
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      // A refused stream (bad token, no events) would refuse again: do not hold calls back.
      this.#markReady();
      this.#releaseAll();
      return;
    }
    for await (const msg of parseSse(res.body, signal)) {
      if (msg.retry !== undefined) this.#retryMs = msg.retry;
      if (msg.event === "ready") {
        onLive();
        this.#markReady();
        const now = JSON.parse(msg.data).lastEventId;
        if (this.#lastId === undefined) this.#lastId = now;
        // The replay came before `ready`: whatever a call waits for up to `now` was delivered.
        this.#release(now);
        continue;
      }
      if (msg.event === "event") this.#deliver(JSON.parse(msg.data) as DriverEvent);
      if (msg.id !== undefined) {
        this.#lastId = msg.id;
        this.#release(msg.id);
      }
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
