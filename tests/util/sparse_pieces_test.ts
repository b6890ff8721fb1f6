/**
 * The pieces of sparse streams: the gateway's framing of holes (protocol/sparse_stream.ts)
 * round-trips whatever way the bytes are cut, holes read as zeroes in bounded pieces, and a
 * file's data/hole map (util/file_holes.ts) is the kernel's.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import type { StreamPiece } from "../../util/driver.ts";
import { decodeSparse, encodeSparse } from "../../protocol/sparse_stream.ts";
import { holesAsZeroes } from "../../util/stream_pieces.ts";
import { openHoleMap } from "../../util/file_holes.ts";

const piece = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 40 }),
  fc.integer({ min: 1, max: 2 ** 40 }).map((hole) => ({ hole })),
);

/** Adjacent data joined: how the bytes are cut does not matter, only what they say. */
function normal(pieces: StreamPiece[]): (number[] | { hole: number })[] {
  const out: (number[] | { hole: number })[] = [];
  for (const p of pieces) {
    const last = out.at(-1);
    if (p instanceof Uint8Array) {
      if (Array.isArray(last)) last.push(...p);
      else out.push([...p]);
    } else out.push({ hole: p.hole });
  }
  return out;
}

Deno.test("sparse framing: pieces come back whatever the cuts of the framed bytes", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(piece, { maxLength: 12 }), fc.array(fc.nat(30)), async (ps, cuts) => {
      const framed = new Uint8Array(
        await new Response(ReadableStream.from(ps).pipeThrough(encodeSparse())).arrayBuffer(),
      );
      const chunks: Uint8Array[] = [];
      let at = 0;
      for (const c of cuts) chunks.push(framed.subarray(at, at = Math.min(framed.length, at + c)));
      chunks.push(framed.subarray(at));
      const back = await Array.fromAsync(ReadableStream.from(chunks).pipeThrough(decodeSparse()));
      assert.deepEqual(normal(back), normal(ps));
    }),
  );
});

Deno.test("sparse framing: a stream cut inside a record fails", async () => {
  const framed = new Uint8Array(
    await new Response(ReadableStream.from([new Uint8Array(10)]).pipeThrough(encodeSparse()))
      .arrayBuffer(),
  );
  await assert.rejects(
    Array.fromAsync(ReadableStream.from([framed.subarray(0, 12)]).pipeThrough(decodeSparse())),
    /bad sparse stream record/,
  );
});

Deno.test("holes as zeroes: exact bytes, never more than 1 MiB at once", async () => {
  const sizes: number[] = [];
  const bytes = holesAsZeroes(
    ReadableStream.from<StreamPiece>([new Uint8Array([1, 2]), { hole: 3 * 1024 * 1024 + 5 }]),
  );
  let total = 0;
  for await (const b of bytes) {
    sizes.push(b.length);
    total += b.length;
    if (total > 2) assert.ok(b.every((x) => x === 0));
  }
  assert.equal(total, 2 + 3 * 1024 * 1024 + 5);
  assert.ok(Math.max(...sizes) <= 1024 * 1024);
});

Deno.test("hole map: data and holes where the kernel put them, the trailing hole, the end", async () => {
  const path = await Deno.makeTempFile();
  try {
    const f = await Deno.open(path, { write: true });
    await f.truncate(8 << 20);
    await f.seek(1 << 20, Deno.SeekMode.Start);
    await f.write(new Uint8Array(65536).fill(1));
    f.close();
    const map = openHoleMap(path);
    try {
      assert.deepEqual(map.inData(0), { inData: false, length: 1 << 20 });
      assert.deepEqual(map.inData(1 << 20), { inData: true, length: 65536 });
      assert.deepEqual(map.inData((1 << 20) + 4096), { inData: true, length: 61440 });
      assert.deepEqual(map.inData((1 << 20) + 65536), {
        inData: false,
        length: (8 << 20) - (1 << 20) - 65536,
      });
      assert.deepEqual(map.inData(8 << 20), { inData: false, length: 0 });
    } finally {
      map.close();
    }
  } finally {
    await Deno.remove(path);
  }
});
