/**
 * A domain job (libvirt's `virDomainObjBeginJob`): one modifying operation at a time per
 * domain, queued in call order.
 *
 * @module
 */

/**
 * A FIFO mutex for one domain.
 *
 * @example
 * ```ts
 * import { DomainJob } from "./job.ts";
 * const job = new DomainJob();
 * const result = await job.run(async () => 42);
 * ```
 */
export class DomainJob {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` once every earlier job has finished. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn, fn);
    this.#tail = result.catch(() => {});
    return result;
  }
}
