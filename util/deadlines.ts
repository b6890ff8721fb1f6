/** One pending deadline of a {@link Deadlines}; pass it to {@link Deadlines.cancel}. */
export interface Deadline {
  /** `performance.now()` at which it expires. */
  readonly at: number;
  /** What runs on expiry; cleared once it ran or was cancelled. */
  expire: (() => void) | undefined;
}

/** Cancelled entries tolerated inside the queue before it is compacted. */
const COMPACT_AFTER = 256;

/**
 * Deadlines of one fixed length for many pending operations (calls in flight), on one timer.
 * A timer per call costs more than a fast call itself (creating, tracking and clearing it);
 * since every deadline here has the same length, they expire in the order they were added, so
 * a FIFO queue and a single timer armed for its oldest live entry do the same job. The timer is
 * an `AbortSignal.timeout` whose abort listener is the expiry: on Deno a timeout signal keeps
 * the process alive exactly while it has a listener, so while a deadline is pending the process
 * stays up, as with a per-call timer; once none is, the listener is removed (rather than the
 * timer cleared and made again for the next call), and it is not re-armed. (`setTimeout` would
 * do the same with `ref`/`unref`, but Deno 2.9 loads its Node timers module on the first call,
 * a few milliseconds of a one-command evsh run.) Node never lets a timeout signal hold the
 * process; the calls this bounds hold it there themselves (a socket waiting for its answer).
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
  /** The armed timer: aborts when the oldest live entry is due. */
  #timer?: AbortSignal;
  /** Whether the timer keeps the process alive (its listener is attached). */
  #held = false;

  /** `ms`: how long after {@link add} each deadline expires. */
  constructor(ms: number) {
    this.#ms = ms;
  }

  /** Starts a deadline: `expire` runs after the fixed length unless cancelled first. */
  add(expire: () => void): Deadline {
    const d: Deadline = { at: performance.now() + this.#ms, expire };
    this.#queue.push(d);
    // A timer that expired while let go ran nothing (it had no listener): armed anew.
    if (!this.#timer || (!this.#held && this.#timer.aborted)) this.#arm(this.#ms);
    else if (!this.#held) this.#hold(true);
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
      if (this.#held) this.#hold(false);
    } else if (this.#dead > COMPACT_AFTER && this.#dead * 2 > q.length - this.#head) {
      this.#queue = q.slice(this.#head).filter((d) => d.expire);
      this.#head = 0;
      this.#dead = 0;
    }
  }

  #arm(ms: number): void {
    this.#timer = AbortSignal.timeout(ms);
    this.#hold(true);
  }

  /** Attaches the expiry to the timer (which then keeps the process alive), or detaches it. */
  #hold(held: boolean): void {
    this.#held = held;
    if (held) this.#timer?.addEventListener("abort", this.#fire);
    else this.#timer?.removeEventListener("abort", this.#fire);
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
