/**
 * A fan-out of events to callbacks and async iterators. Delivery is asynchronous (a macrotask
 * later), like libvirt's event loop: a callback never runs inside the API call that caused the
 * event, and events arrive in emission order.
 *
 * @example
 * ```ts
 * import { EventHub } from "./event_hub.ts";
 * const hub = new EventHub<string>();
 * const off = hub.on((s) => console.log(s));
 * hub.emit("hello");
 * off();
 * ```
 */
export class EventHub<T> {
  #listeners = new Set<(ev: T) => void>();
  #queue: T[] = [];
  #scheduled = false;

  /** Adds a listener; returns its removal function. */
  on(listener: (ev: T) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Number of listeners. */
  get size(): number {
    return this.#listeners.size;
  }

  /** Queues an event for every current listener. */
  emit(ev: T): void {
    if (!this.#listeners.size) return;
    this.#queue.push(ev);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setTimeout(() => {
      this.#scheduled = false;
      const batch = this.#queue;
      this.#queue = [];
      for (const e of batch) for (const l of [...this.#listeners]) l(e);
    }, 0);
  }

  /**
   * An async iterator over events from now on; ends when `signal` aborts. Events that arrive
   * while the consumer is busy are buffered.
   */
  async *iterate(signal?: AbortSignal): AsyncGenerator<T> {
    const buffer: T[] = [];
    let wake: (() => void) | undefined;
    const off = this.on((e) => {
      buffer.push(e);
      wake?.();
    });
    const onAbort = () => wake?.();
    signal?.addEventListener("abort", onAbort);
    try {
      while (!signal?.aborted) {
        if (buffer.length) {
          yield buffer.shift()!;
          continue;
        }
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
    } finally {
      off();
      signal?.removeEventListener("abort", onAbort);
    }
  }
}
