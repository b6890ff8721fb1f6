/**
 * Telling a sparse stream's holes from its data, and reading holes as the zeroes they stand for
 * (libvirt's `virStreamRecv` without `VIR_STREAM_RECV_STOP_AT_HOLE`).
 *
 * @module
 */
import type { StreamHole, StreamPiece } from "./contract/types.ts";

/** The most zeroes one piece of an expanded hole holds. */
const ZEROES = 1024 * 1024;

/**
 * Whether `piece` is a hole.
 *
 * @example
 * ```ts
 * import { isHole } from "./stream_pieces.ts";
 * isHole({ hole: 4096 }); // true
 * ```
 */
export function isHole(piece: StreamPiece): piece is StreamHole {
  return !(piece instanceof Uint8Array);
}

/**
 * `source` as bytes only: each hole becomes its zeroes, made as they are read, in pieces of at
 * most 1 MiB, so that a large hole is never one large buffer.
 *
 * @example
 * ```ts
 * import { holesAsZeroes } from "./stream_pieces.ts";
 * const bytes = holesAsZeroes(ReadableStream.from([{ hole: 3 }]));
 * console.log(new Uint8Array(await new Response(bytes).arrayBuffer())); // [0, 0, 0]
 * ```
 */
export function holesAsZeroes(source: ReadableStream<StreamPiece>): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let zeroes = 0;
  return new ReadableStream<Uint8Array>({
    async pull(c) {
      while (!zeroes) {
        const { done, value } = await reader.read();
        if (done) return c.close();
        if (!isHole(value)) return c.enqueue(value);
        zeroes = value.hole;
      }
      const n = Math.min(zeroes, ZEROES);
      zeroes -= n;
      c.enqueue(new Uint8Array(n));
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 });
}
