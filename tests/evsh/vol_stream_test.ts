// evsh's vol-upload and vol-download as a user runs them, on the host storage driver of
// qemu:///embed (all state under a temporary root): a file goes into a volume at an offset and
// comes back out, byte for byte; a missing file is virsh's error.
import assert from "node:assert/strict";
import { REPO_ROOT } from "../paths.ts";

async function evsh(root: string, line: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      `${REPO_ROOT}/tools/evsh/main.ts`,
      "-c",
      `qemu:///embed?root=${root}`,
      line,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("evsh vol-upload and vol-download through a stream", async () => {
  const root = await Deno.makeTempDir({ prefix: "ev-vol-" });
  try {
    const data = new Uint8Array(700_000).map((_, i) => (i * 13 + 5) & 0xff);
    await Deno.writeFile(`${root}/in.bin`, data);
    const r = await evsh(
      root,
      `pool-create-as p dir --target ${root}/p --build; ` +
        `vol-create-as p v.img 1M; vol-upload v.img ${root}/in.bin --pool p --offset 4096; ` +
        `vol-download v.img ${root}/out.bin --pool p --offset 4096 --length ${data.length}`,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await Deno.readFile(`${root}/out.bin`), data);
    assert.deepEqual(
      (await Deno.readFile(`${root}/p/v.img`)).subarray(4096, 4096 + data.length),
      data,
    );

    const missing = await evsh(root, `vol-upload v.img ${root}/nope.bin --pool p`);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr.trim(), `error: cannot read ${root}/nope.bin`);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("evsh vol-upload and vol-download --sparse: holes stay holes at both ends", async () => {
  const root = await Deno.makeTempDir({ prefix: "ev-vol-" });
  try {
    const MiB = 1024 * 1024;
    const src = await Deno.open(`${root}/in.img`, { write: true, create: true });
    await src.truncate(8 * MiB);
    await src.write(new Uint8Array(65536).fill(0x5a));
    await src.seek(5 * MiB, Deno.SeekMode.Start);
    await src.write(new Uint8Array(4096).fill(0xa5));
    src.close();
    const r = await evsh(
      root,
      `pool-create-as p dir --target ${root}/p --build; vol-create-as p s.img 8M --allocation 0; ` +
        `vol-upload s.img ${root}/in.img --pool p --sparse; ` +
        `vol-download s.img ${root}/out.img --pool p --sparse`,
    );
    assert.equal(r.code, 0, r.stderr);
    const want = await Deno.readFile(`${root}/in.img`);
    for (const path of [`${root}/p/s.img`, `${root}/out.img`]) {
      assert.deepEqual(await Deno.readFile(path), want, path);
      const st = await Deno.stat(path);
      assert.ok(st.blocks! * 512 < MiB, `${path} allocates ${st.blocks! * 512} bytes`);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
