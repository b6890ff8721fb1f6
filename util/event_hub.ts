/**
 * A fan-out of events to callbacks and async iterators. Delivery is asynchronous but prompt: a
 * microtask later, in emission order. So a callback never runs inside the synchronous part of
 * the call that emitted the event, and yet it runs before anything awaiting that call resumes
 * (the call's promise settles after the emission, so its reactions queue behind the delivery).
 * That is what lets a caller see the events of its own call before the call's result, as
 * libvirtd queues them onto a client's connection before the reply.
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
    queueMicrotask(() => {
      this.#scheduled = false;
      const batch = this.#queue;
      this.#queue = [];
      for (const e of batch) for (const l of [...this.#listeners]) l(e);
    });
  }

  /**
   * An async iterator over events from now on; ends when `signal` aborts or the loop breaks.
   * Events that arrive while the consumer is busy are buffered. A consumer waiting in `next()`
   * is handed the event directly (no generator in between), so it runs within a microtask of
   * the delivery, still ahead of the call that caused the event.
   */
  iterate(signal?: AbortSignal): AsyncIterableIterator<T> {
    const buffer: T[] = [];
    const waiting: ((r: IteratorResult<T>) => void)[] = [];
    let ended = false;
    const finish = (): Promise<IteratorResult<T>> => {
      if (!ended) {
        ended = true;
        off();
        signal?.removeEventListener("abort", finish);
        buffer.length = 0;
        for (const w of waiting.splice(0)) w({ value: undefined, done: true });
      }
      return Promise.resolve({ value: undefined, done: true });
    };
    const off = this.on((value) => {
      const w = waiting.shift();
      if (w) w({ value, done: false });
      else buffer.push(value);
    });
    signal?.addEventListener("abort", finish);
    if (signal?.aborted) finish();
    return {
      next(): Promise<IteratorResult<T>> {
        if (buffer.length) return Promise.resolve({ value: buffer.shift()!, done: false });
        if (ended) return finish();
        return new Promise((resolve) => waiting.push(resolve));
      },
      return: finish,
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
}
