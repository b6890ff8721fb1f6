/**
 * Volume upload and download (`virStorageVolUpload`/`Download`) on a directory pool: in-process
 * on the driver, and through the gateway with the client's `Stream` over both of its channels
 * (HTTP, WebSocket; the data itself always goes over HTTP), with libvirt's errors.
 */
import assert from "node:assert/strict";
import type { StorageVolRef } from "../../../util/driver.ts";
import { VIR } from "../../../util/constants.ts";
import { storageDriver } from "../../../drivers/storage/mod.ts";
import { connect, type Connection, type StorageVolume, VirError } from "../../../mod.ts";
import { withSecondary, withServedSecondaries } from "../secondary_helpers.ts";

const MiB = 1024 * 1024;

function pattern(n: number, seed = 7): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

const poolXml = (root: string) =>
  `<pool type='dir'><name>p</name><target><path>${root}/p</path></target></pool>`;
const rawVol = (name: string, mib: number) =>
  `<volume><name>${name}</name><capacity unit='M'>${mib}</capacity><allocation>0</allocation>` +
  `<target><format type='raw'/></target></volume>`;

Deno.test("driver: upload writes from the offset, download reads back, length bounds both", async () => {
  await withSecondary(storageDriver, async (conn, root) => {
    const pool = await conn.storagePoolCreateXML!(
      poolXml(root),
      VIR.STORAGE_POOL_CREATE_WITH_BUILD,
    );
    const vol = await conn.storageVolCreateXML!(pool, rawVol("a.img", 1), 0);
    const data = pattern(300_000);
    const up = await conn.storageVolUpload!(vol, 4096, 0, 0);
    await new Blob([data]).stream().pipeTo(up.writable!);
    const file = await Deno.readFile(`${root}/p/a.img`);
    assert.deepEqual(file.subarray(4096, 4096 + data.length), data);
    assert.equal(file.length, MiB);

    const down = await conn.storageVolDownload!(vol, 4096, 1000, 0);
    const got = new Uint8Array(
      await new Response(down.readable as ReadableStream<Uint8Array>).arrayBuffer(),
    );
    assert.deepEqual(got, data.subarray(0, 1000));
    const whole = await conn.storageVolDownload!(vol, 0, 0, 0);
    assert.equal(
      (await new Response(whole.readable as ReadableStream<Uint8Array>).arrayBuffer()).byteLength,
      MiB,
    );

    // As libvirtd (recorded in storage_oracle_test): a piece past the length has no room, and
    // none of it lands.
    const bounded = await conn.storageVolUpload!(vol, 0, 10, 0);
    const w = bounded.writable!.getWriter();
    await w.write(pattern(6));
    await assert.rejects(w.write(pattern(16, 1)), (e: VirError) => {
      assert.deepEqual([e.code, e.domain, e.message], [
        VIR.ERR_SYSTEM_ERROR,
        VIR.FROM_STREAMS,
        "cannot write to stream: No space left on device",
      ]);
      return true;
    });
    assert.deepEqual([...(await Deno.readFile(`${root}/p/a.img`)).subarray(0, 7)], [
      ...pattern(6),
      file[6],
    ]);
  });
});

/** A gateway serving `hv:///embed?root=ROOT` with the host storage driver, on a real port. */
const withServedStorage = (
  body: (origin: string, gwFetch: (r: Request) => Promise<Response>, root: string) => Promise<void>,
) => withServedSecondaries([storageDriver], body);

async function roundTrip(conn: Connection, root: string): Promise<void> {
  const pool = await conn.createStoragePoolXML(poolXml(root), VIR.STORAGE_POOL_CREATE_WITH_BUILD);
  const vol: StorageVolume = await pool.createVolumeXML(rawVol("b.img", 4), 0);
  // Bigger than one piece of the remote stream, so that it goes in several.
  const data = pattern(2 * MiB + 12345, 3);
  const up = conn.newStream();
  await vol.upload(up, 0, 0);
  await up.send(data.subarray(0, MiB / 2));
  await up.send(data.subarray(MiB / 2));
  await up.finish();
  assert.deepEqual((await Deno.readFile(`${root}/p/b.img`)).subarray(0, data.length), data);

  const down = conn.newStream();
  await vol.download(down, 0, data.length);
  const parts: Uint8Array<ArrayBuffer>[] = [];
  for (let piece = await down.recv(); piece.length; piece = await down.recv()) {
    parts.push(piece.slice());
  }
  await down.finish();
  assert.deepEqual(new Uint8Array(await new Blob(parts).arrayBuffer()), data);

  // The whole-stream helpers, with progress.
  const seen: number[] = [];
  const all = conn.newStream();
  await vol.upload(all, MiB, 0);
  await all.sendAll(new Blob([data.subarray(0, 300_000)]).stream(), (n) => seen.push(n));
  assert.equal(seen.at(-1), 300_000);
  const back = conn.newStream();
  await vol.download(back, MiB, 300_000);
  const sink = new TransformStream<Uint8Array, Uint8Array>();
  const collected = new Response(sink.readable).arrayBuffer();
  let last = 0;
  await back.recvAll(sink.writable, (n) => (last = n));
  assert.equal(last, 300_000);
  assert.deepEqual(new Uint8Array(await collected), data.subarray(0, 300_000));

  // Without a progress callback too (sendAll once sent nothing then: the send sat inside
  // `progress?.(…)`, which is not evaluated when there is no callback).
  const quiet = conn.newStream();
  await vol.upload(quiet, 3 * MiB, 0);
  await quiet.sendAll(new Blob([data.subarray(0, 300_000)]).stream());
  assert.deepEqual(
    (await Deno.readFile(`${root}/p/b.img`)).subarray(3 * MiB, 3 * MiB + 300_000),
    data.subarray(0, 300_000),
  );

  // An abort drops the upload: what was sent stays, the stream is gone.
  const dropped = conn.newStream();
  await vol.upload(dropped, 0, 0);
  await dropped.send(pattern(10, 9));
  await dropped.abort();
}

Deno.test("client over the gateway: upload and download through HTTP and WebSocket sessions", async () => {
  await withServedStorage(async (host, gwFetch, root) => {
    const uri = `hv+http://${host}/embed?root=${root}`;
    const overHttp = await connect(uri, {
      fetch: (r: Request | URL | string, i?: RequestInit) => gwFetch(new Request(r, i)),
    });
    try {
      await roundTrip(overHttp, root);
    } finally {
      await overHttp.close();
    }
  });
  await withServedStorage(async (host, _gwFetch, root) => {
    const overWs = await connect(`hv+http://${host}/embed?root=${root}`, { channel: "websocket" });
    try {
      await roundTrip(overWs, root);
    } finally {
      await overWs.close();
    }
  });
});

Deno.test("streams: libvirt's refusals and no access to another caller's stream", async () => {
  await withServedStorage(async (host, gwFetch, root) => {
    const conn = await connect(`hv+http://${host}/embed?root=${root}`, {
      fetch: (r: Request | URL | string, i?: RequestInit) => gwFetch(new Request(r, i)),
    });
    // Another connection to the same gateway: its streams are not this connection's.
    const other = await connect(`hv+http://${host}/embed?root=${root}`, {
      fetch: (r: Request | URL | string, i?: RequestInit) => gwFetch(new Request(r, i)),
    });
    try {
      const pool = await conn.createStoragePoolXML(
        poolXml(root),
        VIR.STORAGE_POOL_CREATE_WITH_BUILD,
      );
      const vol = await pool.createVolumeXML(rawVol("c.img", 1), 0);
      const unbound = conn.newStream();
      await assert.rejects(
        unbound.recv(),
        (e: VirError) =>
          e.code === VIR.ERR_NO_SUPPORT && e.domain === VIR.FROM_STREAMS &&
          e.message === "this function is not supported by the connection driver: virStreamRecv",
      );
      await assert.rejects(
        vol.upload(other.newStream(), 0, 0),
        (e: VirError) =>
          e.code === VIR.ERR_INVALID_ARG && e.domain === VIR.FROM_STORAGE &&
          e.message ===
            "invalid argument: stream in virStorageVolUpload must match connection of volume 'c.img'",
      );

      const ro = await connect(`hv+http://${host}/embed?root=${root}`, {
        readonly: true,
        fetch: (r: Request | URL | string, i?: RequestInit) => gwFetch(new Request(r, i)),
      });
      const roVol = await (await ro.listAllStoragePools())[0].lookupVolumeByName("c.img");
      await assert.rejects(
        roVol.download(ro.newStream(), 0, 0),
        (e: VirError) =>
          e.code === VIR.ERR_OPERATION_DENIED &&
          e.message === "operation forbidden: read only access prevents virStorageVolDownload",
      );
      await ro.close();

      // A raw call answers a ticket; a wrong id is refused alike whether it exists or not.
      const ref: StorageVolRef = vol.ref;
      const res = await gwFetch(
        new Request(`http://${host}/v1/hv/embed/call/storageVolDownload`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify([ref, 0, 0, 0]),
        }),
      );
      const { result } = await res.json();
      assert.match(result.stream, /^[0-9a-f-]{36}$/);
      const bogus = await gwFetch(new Request(`http://${host}/v1/streams/${crypto.randomUUID()}`));
      assert.equal(bogus.status, 400);
      assert.equal(
        (await bogus.json()).message,
        "invalid argument: no such stream (ended or not yours)",
      );
      const got = await gwFetch(new Request(`http://${host}/v1/streams/${result.stream}`));
      assert.equal((await got.arrayBuffer()).byteLength, MiB);
      const again = await gwFetch(new Request(`http://${host}/v1/streams/${result.stream}`));
      assert.equal(again.status, 400);
      await again.body?.cancel();
    } finally {
      await conn.close();
      await other.close();
    }
  });
});
