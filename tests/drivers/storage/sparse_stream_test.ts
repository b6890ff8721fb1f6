/**
 * Sparse volume streams (`VIR_STORAGE_VOL_UPLOAD/DOWNLOAD_SPARSE_STREAM`): on the driver, and
 * through the gateway with the client's `Stream` (`sendHole`, `recvFlags`/`recvHole`,
 * `sparseSendAll`/`sparseRecvAll`, holes as zeroes for a plain reader), with libvirt's errors.
 */
import assert from "node:assert/strict";
import { VIR } from "../../../util/constants.ts";
import type { StreamPiece } from "../../../util/driver.ts";
import { storageDriver } from "../../../drivers/storage/mod.ts";
import {
  connect,
  type Connection,
  type StorageVolume,
  type Stream,
  type VirError,
} from "../../../mod.ts";
import { errorsOf, withSecondary, withServedSecondaries } from "../secondary_helpers.ts";

const KiB = 1024;
const MiB = 1024 * KiB;

const poolXml = (root: string) =>
  `<pool type='dir'><name>p</name><target><path>${root}/p</path></target></pool>`;
const rawVol = (name: string, mib: number) =>
  `<volume><name>${name}</name><capacity unit='M'>${mib}</capacity><allocation>0</allocation>` +
  `<target><format type='raw'/></target></volume>`;

function pattern(n: number, seed: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

/** 64 KiB of data, a 1 MiB hole, 4 KiB of data, a hole to 8 MiB. */
const LAYOUT: StreamPiece[] = [
  pattern(64 * KiB, 1),
  { hole: MiB },
  pattern(4 * KiB, 2),
  { hole: 8 * MiB - MiB - 68 * KiB },
];

/** Adjacent data pieces as one `["data", n]`, holes as `["hole", n]`: chunking aside. */
function shape(pieces: StreamPiece[]): [string, number][] {
  const out: [string, number][] = [];
  for (const p of pieces) {
    const [kind, n] = p instanceof Uint8Array ? ["data", p.length] : ["hole", p.hole];
    const last = out.at(-1);
    if (last && last[0] === kind && kind === "data") last[1] += n;
    else out.push([kind, n]);
  }
  return out;
}

const EXPECTED_SHAPE: [string, number][] = [
  ["data", 64 * KiB],
  ["hole", MiB],
  ["data", 4 * KiB],
  ["hole", 8 * MiB - MiB - 68 * KiB],
];

/** The file's bytes as LAYOUT describes them. */
function layoutBytes(): Uint8Array {
  const out = new Uint8Array(8 * MiB);
  out.set(pattern(64 * KiB, 1), 0);
  out.set(pattern(4 * KiB, 2), 64 * KiB + MiB);
  return out;
}

Deno.test("driver: a sparse upload leaves its holes unwritten, a sparse download finds them", async () => {
  await withSecondary(storageDriver, async (conn, root) => {
    const pool = await conn.storagePoolCreateXML!(
      poolXml(root),
      VIR.STORAGE_POOL_CREATE_WITH_BUILD,
    );
    const vol = await conn.storageVolCreateXML!(pool, rawVol("s.img", 8), 0);
    const up = await conn.storageVolUpload!(vol, 0, 0, VIR.STORAGE_VOL_UPLOAD_SPARSE_STREAM);
    assert.equal(up.sparse, true);
    await ReadableStream.from(LAYOUT).pipeTo(up.writable!);
    const path = `${root}/p/s.img`;
    assert.deepEqual(await Deno.readFile(path), layoutBytes());
    // Only the data took space (ext4, xfs and tmpfs allocate at most a few blocks more).
    assert.ok((await Deno.stat(path)).blocks! * 512 < 256 * KiB);
    const info = await conn.storageVolGetInfo!(vol);
    assert.ok(info.allocation < 256 * KiB, `allocation ${info.allocation}`);

    const down = await conn.storageVolDownload!(vol, 0, 0, VIR.STORAGE_VOL_DOWNLOAD_SPARSE_STREAM);
    assert.deepEqual(shape(await Array.fromAsync(down.readable!)), EXPECTED_SHAPE);
    // Offset and length cut the sections as they cut the data.
    const part = await conn.storageVolDownload!(
      vol,
      32 * KiB,
      64 * KiB,
      VIR.STORAGE_VOL_DOWNLOAD_SPARSE_STREAM,
    );
    assert.deepEqual(shape(await Array.fromAsync(part.readable!)), [
      ["data", 32 * KiB],
      ["hole", 32 * KiB],
    ]);
    // Without the flag, holes are the zeroes they read as.
    const plain = await conn.storageVolDownload!(vol, 0, 0, 0);
    assert.equal(plain.sparse, false);
    assert.deepEqual(shape(await Array.fromAsync(plain.readable!)), [["data", 8 * MiB]]);

    // As virFDStream's ftruncate: a hole ends the file where it ends, whatever lay past it.
    const short = await conn.storageVolUpload!(vol, 0, 0, VIR.STORAGE_VOL_UPLOAD_SPARSE_STREAM);
    await ReadableStream.from<StreamPiece>([pattern(4 * KiB, 3), { hole: 4 * KiB }])
      .pipeTo(short.writable!);
    assert.equal((await Deno.stat(path)).size, 8 * KiB);
    // A length bounds holes too (virFDStreamSendHole clamps them).
    const bounded = await conn.storageVolUpload!(
      vol,
      0,
      8 * KiB,
      VIR.STORAGE_VOL_UPLOAD_SPARSE_STREAM,
    );
    await ReadableStream.from<StreamPiece>([pattern(4 * KiB, 4), { hole: MiB }])
      .pipeTo(bounded.writable!);
    assert.equal((await Deno.stat(path)).size, 8 * KiB);

    const rejectsWith = errorsOf(VIR.FROM_STREAMS);
    const notSparse = await conn.storageVolUpload!(vol, 0, 0, 0);
    await rejectsWith(
      notSparse.writable!.getWriter().write({ hole: 4096 }),
      VIR.ERR_INTERNAL_ERROR,
      "internal error: unexpected stream hole",
    );
    const negative = await conn.storageVolUpload!(vol, 0, 0, VIR.STORAGE_VOL_UPLOAD_SPARSE_STREAM);
    await rejectsWith(
      negative.writable!.getWriter().write({ hole: -1 }),
      VIR.ERR_INVALID_ARG,
      "invalid argument: length in virFDStreamSendHole must be greater than zero",
    );
    await errorsOf(VIR.FROM_STORAGE)(
      conn.storageVolDownload!(vol, 0, 0, 2),
      VIR.ERR_INVALID_ARG,
      "unsupported flags (0x2) in function storageVolDownload",
    );
  });
});

async function clientRoundTrip(conn: Connection, root: string): Promise<void> {
  const pool = await conn.createStoragePoolXML(poolXml(root), VIR.STORAGE_POOL_CREATE_WITH_BUILD);
  const vol = await pool.createVolumeXML(rawVol("c.img", 8), 0);
  const up = conn.newStream();
  await vol.upload(up, 0, 0, VIR.STORAGE_VOL_UPLOAD_SPARSE_STREAM);
  let sent = 0;
  await up.sparseSendAll(ReadableStream.from(LAYOUT), (n) => (sent = n));
  assert.equal(sent, 8 * MiB);
  assert.deepEqual(await Deno.readFile(`${root}/p/c.img`), layoutBytes());

  const down = conn.newStream();
  await vol.download(down, 0, 0, VIR.STORAGE_VOL_DOWNLOAD_SPARSE_STREAM);
  const pieces: StreamPiece[] = [];
  await down.sparseRecvAll(new WritableStream({ write: (p) => void pieces.push(p) }));
  assert.deepEqual(shape(pieces), EXPECTED_SHAPE);

  // One piece at a time, stopping at holes (virStreamRecvFlags, virStreamRecvHole).
  const step = conn.newStream();
  await vol.download(step, 60 * KiB, 8 * KiB, VIR.STORAGE_VOL_DOWNLOAD_SPARSE_STREAM);
  const first = await step.recvFlags(MiB, VIR.STREAM_RECV_STOP_AT_HOLE);
  assert.deepEqual(first, pattern(64 * KiB, 1).subarray(60 * KiB));
  assert.equal(await step.recvFlags(MiB, VIR.STREAM_RECV_STOP_AT_HOLE), -3);
  assert.equal(await step.recvHole(), 4 * KiB);
  assert.equal(await step.recvHole(), 0);
  assert.equal((await step.recv()).length, 0);
  await step.finish();

  // A plain reader of a sparse stream gets the holes as zeroes (libvirt's virStreamRecv).
  const bytes = conn.newStream();
  await vol.download(bytes, 0, 0, VIR.STORAGE_VOL_DOWNLOAD_SPARSE_STREAM);
  assert.deepEqual(new Uint8Array(await new Response(bytes.readable).arrayBuffer()), layoutBytes());

  // libvirt's client refuses holes on a stream that is not sparse.
  const rpc = errorsOf(VIR.FROM_RPC);
  const plainUp = conn.newStream();
  await vol.upload(plainUp, 0, 0);
  await rpc(
    plainUp.sendHole(4096),
    VIR.ERR_OPERATION_INVALID,
    "Requested operation is not valid: Skipping is not supported with this stream",
  );
  await plainUp.abort();
  const plainDown = conn.newStream();
  await vol.download(plainDown, 0, 0);
  await rpc(
    plainDown.recvHole(),
    VIR.ERR_OPERATION_INVALID,
    "Requested operation is not valid: Holes are not supported with this stream",
  );
  await plainDown.abort();
}

Deno.test("client over the gateway: sparse upload and download carry holes (HTTP and WebSocket sessions)", async () => {
  for (const channel of ["http", "websocket"] as const) {
    await withServedSecondaries([storageDriver], async (host, _gwFetch, root) => {
      const conn = await connect(`hv+http://${host}/embed?root=${root}`, { channel });
      try {
        await clientRoundTrip(conn, root);
      } finally {
        await conn.close();
      }
    });
  }
});

Deno.test("stream routes: a hole into a stream that is not sparse is libvirtd's RPC error", async () => {
  await withServedSecondaries([storageDriver], async (host, gwFetch, root) => {
    const conn = await connect(`hv+http://${host}/embed?root=${root}`);
    try {
      const pool = await conn.createStoragePoolXML(
        poolXml(root),
        VIR.STORAGE_POOL_CREATE_WITH_BUILD,
      );
      const vol = await pool.createVolumeXML(rawVol("r.img", 1), 0);
      const raw = (flags: number) =>
        gwFetch(
          new Request(`http://${host}/v1/hv/embed/call/storageVolUpload`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify([vol.ref, 0, 0, flags]),
          }),
        ).then((r) => r.json());
      const plain = (await raw(0)).result;
      assert.equal(plain.sparse, undefined);
      const res = await gwFetch(
        new Request(`http://${host}/v1/streams/${plain.stream}?hole=4096`, { method: "POST" }),
      );
      const err = await res.json();
      assert.deepEqual([err.code, err.domain, err.message], [
        VIR.ERR_RPC,
        VIR.FROM_STREAMS,
        "Unexpected stream hole",
      ]);
      const sparse = (await raw(VIR.STORAGE_VOL_UPLOAD_SPARSE_STREAM)).result;
      assert.equal(sparse.sparse, true);
    } finally {
      await conn.close();
    }
  });
});

/** The cases of record_sparse.py, through the gateway with the client, as JSON lines. */
async function replaySparse(conn: Connection, root: string): Promise<unknown[]> {
  const pool = await conn.createStoragePoolXML(
    `<pool type='dir'><name>sp</name><target><path>${root}/pool</path></target></pool>`,
    VIR.STORAGE_POOL_CREATE_WITH_BUILD,
  );
  const vol = (name: string, alloc: number) =>
    pool.createVolumeXML(
      `<volume><name>${name}</name><capacity>${8 * MiB}</capacity><allocation>${alloc}` +
        `</allocation><target><format type='raw'/></target></volume>`,
      0,
    );
  const fill = (n: number, b: number) => new Uint8Array(n).fill(b);
  const up = async (v: StorageVolume, pieces: StreamPiece[]) => {
    const st = conn.newStream();
    await v.upload(st, 0, 0, VIR.STORAGE_VOL_UPLOAD_SPARSE_STREAM);
    await st.sparseSendAll(ReadableStream.from(pieces));
  };
  const down = async (v: StorageVolume, offset = 0, length = 0) => {
    const st = conn.newStream();
    await v.download(st, offset, length, VIR.STORAGE_VOL_DOWNLOAD_SPARSE_STREAM);
    const pieces: StreamPiece[] = [];
    await st.sparseRecvAll(new WritableStream({ write: (p) => void pieces.push(p) }));
    return shape(pieces);
  };
  const stat = async (v: StorageVolume) => {
    const path = await v.getPath();
    const st = await Deno.stat(path);
    const info = await v.getInfo();
    const head = [...new Set((await Deno.readFile(path)).subarray(4096, 8192))].sort((a, b) =>
      a - b
    );
    return {
      size: st.size,
      alloc: st.blocks! * 512,
      info: [info.type, info.capacity, info.allocation],
      head,
    };
  };
  const out: unknown[] = [];
  const a = await vol("a.img", 0);
  await up(a, [fill(64 * KiB, 1), { hole: MiB }, fill(4 * KiB, 2), {
    hole: 8 * MiB - MiB - 68 * KiB,
  }]);
  out.push({
    case: "a",
    ...await stat(a),
    down: await down(a),
    part: await down(a, 32 * KiB, 64 * KiB),
  });
  const b = await vol("b.img", 0);
  const full = conn.newStream();
  await b.upload(full, 0, 0);
  await full.sendAll(ReadableStream.from([fill(8 * MiB, 7)]));
  await up(b, [fill(4096, 1), { hole: 4096 }, fill(4096, 2)]);
  out.push({ case: "b", ...await stat(b), down: await down(b) });
  const c = await vol("c.img", 8 * MiB);
  out.push({ case: "c0", ...await stat(c) });
  await up(c, [fill(4096, 1), { hole: 8 * MiB - 4096 }]);
  out.push({ case: "c", ...await stat(c), down: await down(c) });
  const attempt = async (what: string, body: (st: Stream) => Promise<unknown>) => {
    const st = conn.newStream();
    try {
      await body(st);
      out.push({ case: what, ok: true });
    } catch (e) {
      const err = e as VirError;
      out.push({ case: what, error: [err.code, err.domain, err.message] });
      await st.abort().catch(() => {});
    }
  };
  await attempt("sendHole-plain", async (st) => {
    await a.upload(st, 0, 0);
    await st.sendHole(4096);
    await st.finish();
  });
  await attempt("recvHole-plain", async (st) => {
    await a.download(st, 0, 0);
    await st.recvHole();
  });
  await attempt("sendHole-zero", async (st) => {
    await a.upload(st, 0, 0, VIR.STORAGE_VOL_UPLOAD_SPARSE_STREAM);
    await st.sendHole(0);
    await st.finish();
  });
  return out;
}

Deno.test("sparse streams as libvirt 9.0's (recorded by record_libvirt.sh): sections, sizes, allocation, refusals", async () => {
  const recorded =
    (await Deno.readTextFile(new URL("fixtures/libvirt_sparse.jsonl", import.meta.url)))
      .trim().split("\n").map((l) => JSON.parse(l));
  await withServedSecondaries([storageDriver], async (host, _gwFetch, root) => {
    const conn = await connect(`hv+http://${host}/embed?root=${root}`);
    try {
      assert.deepEqual(await replaySparse(conn, root), recorded);
    } finally {
      await conn.close();
    }
  });
});
