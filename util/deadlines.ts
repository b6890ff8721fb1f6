/** One pending deadline of a {@link Deadlines}; pass it to {@link Deadlines.cancel}. */
export interface Deadline {
  /** `performance.now()` at which it expires. */
  readonly at: number;
  /** What runs on expiry; cleared once it ran or was cancelled. */
  expire: (() => void) | undefined;
}

/** A timer as Node, Deno and Bun return it (browsers return a number, without these). */
type Timer = { ref?(): void; unref?(): void };

/** Cancelled entries tolerated inside the queue before it is compacted. */
const COMPACT_AFTER = 256;

/**
 * Deadlines of one fixed length for many pending operations (calls in flight), on one timer.
 * A timer per call costs more than a fast call itself (creating, tracking and clearing it);
 * since every deadline here has the same length, they expire in the order they were added, so
 * a FIFO queue and a single timer armed for its oldest live entry do the same job. While a
 * deadline is pending the timer keeps the process alive, as a per-call timer would; once none
 * is, it is `unref`'d where the runtime allows it (rather than cleared and made again for the
 * next call), and it is not re-armed.
 *
 * @example
 * ```ts
 * import { Deadlines } from "./deadlines.ts";
 * const deadlines = new Deadlines(1000);
 * const d = deadlines.add(() => console.log("too late"));
 * deadlines.cancel(d); // answered in time: nothing is logged
 * ```
 */
export class Deadlines {
  readonly #ms: number;
  #queue: Deadline[] = [];
  #head = 0;
  #dead = 0;
  #timer?: Timer;
  /** Whether the timer keeps the process alive. */
  #held = false;

  /** `ms`: how long after {@link add} each deadline expires. */
  constructor(ms: number) {
    this.#ms = ms;
  }

  /** Starts a deadline: `expire` runs after the fixed length unless cancelled first. */
  add(expire: () => void): Deadline {
    const d: Deadline = { at: performance.now() + this.#ms, expire };
    this.#queue.push(d);
    if (!this.#timer) this.#arm(this.#ms);
    else if (!this.#held) {
      this.#held = true;
      this.#timer.ref?.();
    }
    return d;
  }

  /** Stops a deadline (its operation finished in time); harmless once it expired. */
  cancel(d: Deadline): void {
    if (!d.expire) return;
    d.expire = undefined;
    this.#dead++;
    this.#drop();
  }

  /** Skips finished entries at the head, and compacts when too many sit further in. */
  #drop(): void {
    const q = this.#queue;
    while (this.#head < q.length && !q[this.#head].expire) {
      this.#head++;
      this.#dead--;
    }
    if (this.#head === q.length) {
      this.#queue = [];
      this.#head = 0;
      this.#dead = 0;
      if (this.#held) {
        this.#held = false;
        this.#timer?.unref?.();
      }
    } else if (this.#dead > COMPACT_AFTER && this.#dead * 2 > q.length - this.#head) {
      this.#queue = q.slice(this.#head).filter((d) => d.expire);
      this.#head = 0;
      this.#dead = 0;
    }
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(this.#fire, ms) as Timer;
    this.#held = true;
  }

  #fire = (): void => {
    this.#timer = undefined;
    this.#held = false;
    const now = performance.now();
    // An expiry may add or cancel deadlines: the queue is re-read after each one.
    for (this.#drop(); this.#head < this.#queue.length; this.#drop()) {
      const d = this.#queue[this.#head];
      if (d.at > now) break;
      this.#head++;
      const expire = d.expire!;
      d.expire = undefined;
      expire();
    }
    if (!this.#timer && this.#head < this.#queue.length) {
      this.#arm(Math.max(1, this.#queue[this.#head].at - now));
    }
  };
}
