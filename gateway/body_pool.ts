/**
 * Buffers for the request bodies the guarded listener reads itself (calls, an upload's pieces),
 * used again from one request to the next: an upload is a run of 1 MiB pieces, and a fresh
 * buffer for each left the gateway holding tens of MiB of them until a collection.
 *
 * @module
 */

/**
 * A few buffers of `size` bytes, lent out as a body's room and given back after its answer.
 *
 * @example
 * ```ts
 * import { BodyPool } from "./body_pool.ts";
 * const pool = new BodyPool(1024, 2);
 * const body = pool.take(10);
 * pool.give(body);
 * console.log(pool.take(20).buffer === body.buffer); // true
 * ```
 */
export class BodyPool {
  #size: number;
  #max: number;
  #free: ArrayBuffer[] = [];

  /** Buffers of `size` bytes, at most `max` kept while not lent. */
  constructor(size: number, max: number) {
    this.#size = size;
    this.#max = max;
  }

  /** Room for a body of `length` bytes (a buffer of its own when it is larger than the pool's). */
  take(length: number): Uint8Array {
    if (length > this.#size) return new Uint8Array(length);
    return new Uint8Array(this.#free.pop() ?? new ArrayBuffer(this.#size), 0, length);
  }

  /** Gives back what {@link take} lent, once nothing reads it any more. */
  give(body: Uint8Array): void {
    const buffer = body.buffer as ArrayBuffer;
    if (buffer.byteLength === this.#size && this.#free.length < this.#max) this.#free.push(buffer);
  }
}
