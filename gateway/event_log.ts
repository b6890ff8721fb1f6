import type { DriverConnection, DriverEvent } from "../util/driver.ts";

/** An event with the gateway's sequence number (the SSE `id`). */
export interface LoggedEvent {
  id: number;
  event: DriverEvent;
}

/**
 * The events of one session's driver connection: numbered as they arrive, kept in a bounded
 * ring for `Last-Event-ID` resume, and fanned out synchronously to stream listeners so the order
 * is the driver's order. One driver subscription serves every stream of the session.
 *
 * @example
 * ```ts
 * import { EventLog } from "./event_log.ts";
 * const log = new EventLog(16);
 * const off = log.on((e) => console.log(e.id, e.event.family));
 * off();
 * ```
 */
export class EventLog {
  #ring: (LoggedEvent | undefined)[];
  #next = 1;
  #listeners = new Set<(e: LoggedEvent) => void>();
  #enders = new Set<() => void>();
  #unsubscribe?: () => void;
  /** Tells this log's ids from a previous gateway run's, so a stale `Last-Event-ID` replays. */
  readonly boot: string = crypto.randomUUID().slice(0, 8);

  constructor(capacity: number) {
    this.#ring = new Array(Math.max(1, capacity));
  }

  /** Starts following a driver's events; a driver without events leaves the log empty. */
  follow(driver: DriverConnection): void {
    this.#unsubscribe = driver.subscribe?.((ev) => this.push(ev));
  }

  /** Stops following the driver and ends every open stream. */
  close(): void {
    this.#unsubscribe?.();
    this.#listeners.clear();
    for (const end of this.#enders) end();
    this.#enders.clear();
  }

  /** Records an event and hands it to every listener. */
  push(event: DriverEvent): void {
    const logged = { id: this.#next++, event };
    this.#ring[logged.id % this.#ring.length] = logged;
    for (const l of this.#listeners) l(logged);
  }

  /** The id of the newest event (0 before the first). */
  get lastId(): number {
    return this.#next - 1;
  }

  /** Number of live listeners (open streams). */
  get listeners(): number {
    return this.#listeners.size;
  }

  /** Adds a listener for new events, and `onEnd` for when the log closes; returns the removal. */
  on(listener: (e: LoggedEvent) => void, onEnd?: () => void): () => void {
    this.#listeners.add(listener);
    if (onEnd) this.#enders.add(onEnd);
    return () => {
      this.#listeners.delete(listener);
      if (onEnd) this.#enders.delete(onEnd);
    };
  }

  /**
   * The retained events after `lastId`, oldest first, and whether some were already dropped
   * from the ring (the client then missed events and should re-read state).
   */
  since(lastId: number): { events: LoggedEvent[]; gap: boolean } {
    const oldest = Math.max(1, this.#next - this.#ring.length);
    const from = Math.max(lastId + 1, oldest);
    const events: LoggedEvent[] = [];
    for (let id = from; id < this.#next; id++) events.push(this.#ring[id % this.#ring.length]!);
    return { events, gap: lastId + 1 < oldest };
  }
}
