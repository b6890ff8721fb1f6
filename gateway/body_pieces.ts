/**
 * A request body read into one buffer that is used again for each piece, for the stream routes'
 * uploads: `Deno.serve`'s body is a byte stream, whose default reader hands out a fresh 64 KiB
 * chunk per read (an allocation, zero-filled, then copied into, and garbage right after); a
 * BYOB reader reads straight into the caller's buffer, and a full buffer is one piece for the
 * driver (one file write) instead of about twenty.
 *
 * @module
 */

/**
 * The pieces of request bodies, each read into this one buffer: a piece is `size` bytes (the
 * body's last one shorter) and is valid until the next one is asked for, so its consumer must
 * be done with it by then (a driver's `write` has taken it once its promise settles). Bodies
 * that are not byte streams (a body rebuilt by a middleware) come as their own chunks.
 *
 * @example
 * ```ts
 * import { BodyBuffer } from "./body_pieces.ts";
 * const buffer = new BodyBuffer(4);
 * const body = new Response("abcdefghij").body!;
 * for await (const piece of buffer.pieces(body)) console.log(piece.length); // 4, 4, 2
 * ```
 */
export class BodyBuffer {
  #size: number;
  #buffer: ArrayBuffer;

  /** A buffer of `size` bytes, the largest piece. */
  constructor(size: number) {
    this.#size = size;
    this.#buffer = new ArrayBuffer(size);
  }

  /** The pieces of `body`, in order. */
  async *pieces(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
    let reader: ReadableStreamBYOBReader;
    try {
      reader = body.getReader({ mode: "byob" });
    } catch {
      // Not a byte stream: its chunks are its own, nothing to reuse.
      yield* body;
      return;
    }
    try {
      let filled = 0;
      for (;;) {
        // The read takes the buffer over (detaches it) and gives it back in its answer.
        const { done, value } = await reader.read(new Uint8Array(this.#buffer, filled));
        if (value) {
          this.#buffer = value.buffer as ArrayBuffer;
          filled += value.length;
        }
        if (filled && (done || filled === this.#size)) {
          yield new Uint8Array(this.#buffer, 0, filled);
          filled = 0;
        }
        if (done) return;
      }
    } finally {
      // A failed read keeps the buffer it took.
      if (this.#buffer.detached) this.#buffer = new ArrayBuffer(this.#size);
      reader.releaseLock();
    }
  }
}
