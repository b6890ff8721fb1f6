/**
 * Calls of a driver that run one at a time: the driver's answers are asynchronous (files,
 * `qemu-img`), and libvirt's object locks keep two calls from interleaving between a check
 * ("no volume of that name") and the change it guards.
 *
 * @module
 */

/**
 * A queue that runs the functions given to it one after another.
 *
 * @example
 * ```ts
 * import { SerialQueue } from "./serial.ts";
 * const q = new SerialQueue();
 * await Promise.all([q.run(async () => 1), q.run(async () => 2)]); // [1, 2], one at a time
 * ```
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();
  #pending = 0;
  #since = 0;

  /** Runs `fn` after every function queued before it has settled. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    this.#pending++;
    const timed = () => {
      this.#since = Date.now();
      return fn();
    };
    const next = this.#tail.then(timed, timed);
    this.#tail = next.catch(() => {}).finally(() => this.#pending--);
    return next;
  }

  /** True when nothing runs or waits: a function queued now would start at once. */
  get idle(): boolean {
    return this.#pending === 0;
  }

  /** When the function running now started (ms since the epoch); meaningless when idle. */
  get runningSince(): number {
    return this.#since;
  }

  /**
   * The same methods, each running through this queue.
   *
   * @example
   * ```ts
   * import { SerialQueue } from "./serial.ts";
   * const table = new SerialQueue().wrap({ get: () => Promise.resolve(1) });
   * await table.get(); // 1
   * ```
   */
  wrap<T extends object>(methods: T): T {
    const out: Record<string, unknown> = {};
    for (const [name, fn] of Object.entries(methods)) {
      out[name] = typeof fn === "function"
        ? (...args: unknown[]) => this.run(() => fn(...args))
        : fn;
    }
    return out as T;
  }
}
