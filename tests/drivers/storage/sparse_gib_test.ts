/**
 * A 1 GiB sparse volume round trip through a real gateway process over TCP (issue 9): the
 * client uploads a local 1 GiB sparse file (mostly holes, 4 MiB of random data at known
 * offsets) into a `qemu:///session` volume and downloads it back into another local file, both
 * as sparse streams. The three files must be byte-identical (SHA-256), stay sparse, and the
 * gateway's peak RSS (VmHWM of its own process, reset before the transfer) must grow by less
 * than 64 MiB: nothing of the volume is buffered whole. Linux only (`/proc`).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { connect } from "../../../host.ts";
import { VIR } from "../../../util/constants.ts";
import { filePieces, pieceSink } from "../../../util/sparse_file.ts";
import { spawnGateway } from "../../gateway/process.ts";
import { realQemuTest } from "../qemu/real_qemu.ts";
import { peakRss, resetPeakRss } from "../../proc_stats.ts";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
/** Where the random data goes: 1 MiB at each. */
const DATA_AT = [0, 100 * MiB + 4096, 512 * MiB, GiB - MiB];

async function sha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  const buf = new Uint8Array(8 * MiB);
  using file = await Deno.open(path);
  for (let n = await file.read(buf); n !== null; n = await file.read(buf)) {
    hash.update(buf.subarray(0, n));
  }
  return hash.digest("hex");
}

async function makeSource(path: string): Promise<void> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    await file.truncate(GiB);
    const block = new Uint8Array(MiB);
    for (const at of DATA_AT) {
      for (let i = 0; i < block.length; i += 65536) {
        crypto.getRandomValues(block.subarray(i, i + 65536));
      }
      await file.seek(at, Deno.SeekMode.Start);
      for (let off = 0; off < block.length;) off += await file.write(block.subarray(off));
    }
  } finally {
    file.close();
  }
}

realQemuTest({
  name:
    "1 GiB sparse volume: upload and download through a gateway process, byte-exact, bounded RSS",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "edgevirt-gib-" });
    const gw = await spawnGateway({ env: { EDGEVIRT_QEMU_STATE_DIR: `${dir}/state` } });
    try {
      assert.match(gw.stderr(), /serving .*qemu:\/\/\/session/);
      const source = `${dir}/source.img`;
      const back = `${dir}/back.img`;
      await makeSource(source);
      const conn = await connect(`qemu+http://127.0.0.1:${gw.port}/session`, { token: gw.token });
      try {
        const pool = await conn.createStoragePoolXML(
          `<pool type='dir'><name>gib</name><target><path>${dir}/pool</path></target></pool>`,
          VIR.STORAGE_POOL_CREATE_WITH_BUILD,
        );
        const vol = await pool.createVolumeXML(
          `<volume><name>big.img</name><capacity unit='G'>1</capacity><allocation>0</allocation>` +
            `<target><format type='raw'/></target></volume>`,
          0,
        );
        const before = await resetPeakRss(gw.child.pid);

        const up = conn.newStream();
        await vol.upload(up, 0, 0, VIR.STORAGE_VOL_UPLOAD_SPARSE_STREAM);
        const file = await Deno.open(source);
        await up.sparseSendAll(
          await filePieces({ file, path: source, offset: 0, length: 0, sparse: true }),
        );
        const down = conn.newStream();
        await vol.download(down, 0, 0, VIR.STORAGE_VOL_DOWNLOAD_SPARSE_STREAM);
        await down.sparseRecvAll(
          await pieceSink(
            await Deno.open(back, { write: true, create: true, truncate: true }),
            back,
          ),
        );

        const peak = await peakRss(gw.child.pid);
        console.log(
          `gateway RSS before ${(before / MiB).toFixed(1)} MiB, peak during the transfer ` +
            `${(peak / MiB).toFixed(1)} MiB`,
        );
        assert.ok(peak - before < 64 * MiB, `the gateway grew by ${(peak - before) / MiB} MiB`);
        const volPath = await vol.getPath();
        const want = await sha256(source);
        assert.equal(await sha256(volPath), want);
        assert.equal(await sha256(back), want);
        for (const path of [volPath, back]) {
          const st = await Deno.stat(path);
          assert.equal(st.size, GiB);
          assert.ok(st.blocks! * 512 < 16 * MiB, `${path} allocates ${st.blocks! * 512} bytes`);
        }
        await vol.delete(0);
        await pool.destroy();
      } finally {
        await conn.close();
      }
    } finally {
      await gw.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
