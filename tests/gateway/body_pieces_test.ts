// Request bodies read into one reused buffer (gateway/body_pieces.ts): full pieces but the
// last, one buffer for every piece and every body, other streams' chunks as they are, and a
// body that fails midway leaves the buffer usable.
import assert from "node:assert/strict";
import { BodyBuffer } from "../../gateway/body_pieces.ts";

/** A byte stream (as `Deno.serve`'s bodies) giving `chunks`, then failing if `fail`. */
function byteBody(chunks: number[][], fail?: Error): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    type: "bytes",
    pull(c) {
      if (i < chunks.length) {
        const chunk = chunks[i++];
        const req = c.byobRequest!;
        const view = req.view as Uint8Array;
        // As a socket read: at most what the reader's view holds.
        const n = Math.min(chunk.length, view.length);
        view.set(chunk.slice(0, n));
        if (n < chunk.length) chunks.splice(i, 0, chunk.slice(n));
        req.respond(n);
      } else if (fail) c.error(fail);
      else {
        c.close();
        c.byobRequest?.respond(0);
      }
    },
  });
}

async function collect(buffer: BodyBuffer, body: ReadableStream<Uint8Array>) {
  const pieces: number[][] = [];
  const buffers = new Set<ArrayBufferLike>();
  for await (const piece of buffer.pieces(body)) {
    pieces.push([...piece]);
    buffers.add(piece.buffer);
  }
  return { pieces, buffers };
}

Deno.test("body pieces: full pieces but the last, read into one buffer", async () => {
  const buffer = new BodyBuffer(4);
  const first = await collect(buffer, byteBody([[1, 2, 3], [4, 5], [6, 7, 8, 9, 10]]));
  assert.deepEqual(first.pieces, [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10]]);
  // The buffer travels from read to read (each read detaches it), never a new one per piece.
  assert.equal(first.buffers.size, 3);
  assert.ok([...first.buffers].slice(0, -1).every((b) => b.byteLength === 0));
  const again = await collect(buffer, byteBody([[11, 12, 13, 14, 15]]));
  assert.deepEqual(again.pieces, [[11, 12, 13, 14], [15]]);
  assert.deepEqual((await collect(buffer, byteBody([]))).pieces, []);
});

Deno.test("body pieces: a stream that is not a byte stream comes in its own chunks", async () => {
  const chunks = [new Uint8Array([1, 2, 3, 4, 5, 6]), new Uint8Array([7])];
  const { pieces } = await collect(new BodyBuffer(4), ReadableStream.from(chunks));
  assert.deepEqual(pieces, [[1, 2, 3, 4, 5, 6], [7]]);
});

Deno.test("body pieces: a body failing midway throws, and the buffer serves the next", async () => {
  const buffer = new BodyBuffer(4);
  const seen: number[][] = [];
  await assert.rejects(
    async () => {
      for await (const piece of buffer.pieces(byteBody([[1, 2, 3, 4], [5]], new Error("reset")))) {
        seen.push([...piece]);
      }
    },
    /reset/,
  );
  assert.deepEqual(seen, [[1, 2, 3, 4]]);
  assert.deepEqual((await collect(buffer, byteBody([[6, 7]]))).pieces, [[6, 7]]);
});
