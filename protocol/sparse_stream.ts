/**
 * How a sparse stream's holes cross HTTP (libvirt's `VIR_NET_STREAM_HOLE` packets), kept
 * compatible with the plain byte pieces of other streams:
 *
 * - **to the gateway** (an upload): data pieces are `POST /v1/streams/{id}` with the bytes as
 *   the body, as for any stream; a hole is `POST /v1/streams/{id}?hole=LENGTH` with no body.
 * - **from the gateway** (a download): `GET /v1/streams/{id}?sparse` answers
 *   {@link SPARSE_MIME}, a sequence of records, each a 9-byte header — byte 0 the kind
 *   (0 data, 1 hole), bytes 1–8 the length, big-endian unsigned — and, for data, that many
 *   bytes. A plain `GET` (a browser, curl) gets the bytes alone, holes as zeroes, which is
 *   what libvirt's `virStreamRecv` gives a caller that does not stop at holes.
 *
 * @module
 */
import type { StreamPiece } from "../util/contract/types.ts";

/** The media type of a framed sparse download. */
export const SPARSE_MIME = "application/vnd.edgevirt.sparse-stream";

const HEADER = 9;
const DATA = 0;
const HOLE = 1;

function header(kind: number, length: number): Uint8Array {
  const out = new Uint8Array(HEADER);
  out[0] = kind;
  new DataView(out.buffer).setBigUint64(1, BigInt(length));
  return out;
}

/**
 * Frames pieces (data and holes) as {@link SPARSE_MIME} records; data is passed on as it
 * comes, behind its header, never copied.
 *
 * @example
 * ```ts
 * import { encodeSparse } from "./sparse_stream.ts";
 * const framed = ReadableStream.from([{ hole: 4096 }]).pipeThrough(encodeSparse());
 * console.log(new Uint8Array(await new Response(framed).arrayBuffer()).length); // 9
 * ```
 */
export function encodeSparse(): TransformStream<StreamPiece, Uint8Array> {
  return new TransformStream({
    transform(piece, c) {
      if (piece instanceof Uint8Array) {
        if (!piece.length) return;
        c.enqueue(header(DATA, piece.length));
        c.enqueue(piece);
      } else c.enqueue(header(HOLE, piece.hole));
    },
  });
}

/**
 * Reads {@link SPARSE_MIME} records back into pieces. A data record is given out in the pieces
 * it arrives in (it is never gathered whole); an unknown kind of record, or a stream that ends
 * inside a record, fails ("bad sparse stream record").
 *
 * @example
 * ```ts
 * import { decodeSparse, encodeSparse } from "./sparse_stream.ts";
 * const back = ReadableStream.from([{ hole: 8 }]).pipeThrough(encodeSparse())
 *   .pipeThrough(decodeSparse());
 * console.log(await Array.fromAsync(back)); // [{ hole: 8 }]
 * ```
 */
export function decodeSparse(): TransformStream<Uint8Array, StreamPiece> {
  const head = new Uint8Array(HEADER);
  let have = 0;
  let dataLeft = 0;
  return new TransformStream({
    transform(chunk, c) {
      let at = 0;
      while (at < chunk.length) {
        if (dataLeft) {
          const n = Math.min(dataLeft, chunk.length - at);
          c.enqueue(chunk.subarray(at, at + n));
          dataLeft -= n;
          at += n;
          continue;
        }
        const n = Math.min(HEADER - have, chunk.length - at);
        head.set(chunk.subarray(at, at + n), have);
        have += n;
        at += n;
        if (have < HEADER) break;
        have = 0;
        const length = Number(new DataView(head.buffer).getBigUint64(1));
        if (head[0] === HOLE) c.enqueue({ hole: length });
        else if (head[0] === DATA) dataLeft = length;
        else throw new TypeError("bad sparse stream record");
      }
    },
    flush() {
      if (have || dataLeft) throw new TypeError("bad sparse stream record");
    },
  });
}
