/**
 * evsh `screenshot` on a real QEMU (`qemu:///embed`, TCG): the PNG QEMU's `screendump` made
 * lands in the named file and, without one, in virsh's `NAME-DATE.png` in the working directory;
 * a screen the domain lacks is libvirt's error after virsh's line. Without QEMU this test is
 * ignored on a developer machine but FAILS in CI.
 */
import assert from "node:assert/strict";
import { connect } from "../../host.ts";
import { Shell } from "../../tools/evsh/mod.ts";
import { readTextFileForEvsh } from "../../tools/evsh/main.ts";
import { realQemuTest } from "../drivers/qemu/real_qemu.ts";
import { pngSize } from "../gateway/png.ts";
import { inDir } from "./in_dir.ts";

realQemuTest({
  name: "real QEMU: evsh screenshot writes QEMU's PNG, named as virsh names it",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const root = await Deno.makeTempDir({ prefix: "evsh-shot-qemu-" });
    const conn = await connect(`qemu:///embed?root=${root}`);
    let stdout = "";
    let stderr = "";
    try {
      await conn.createXML(
        `<domain type='qemu'><name>shot</name><memory unit='MiB'>32</memory>
<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>
<graphics type='vnc' autoport='yes'/><video><model type='vga'/></video>
<memballoon model='none'/></devices></domain>`,
        0,
      );
      const shell = new Shell(conn, {
        stdout: (s) => (stdout += s),
        stderr: (s) => (stderr += s),
        readFile: readTextFileForEvsh,
        createFile: inDir(root),
      });
      assert.equal(await shell.runLine("screenshot shot --file named.png; screenshot shot"), true);
      const files = [...Deno.readDirSync(root)].map((e) => e.name).filter((n) => n.endsWith(".png"))
        .sort();
      assert.equal(files.length, 2, String(files));
      assert.equal(files[0], "named.png");
      assert.match(files[1], /^shot-\d{4}-\d\d-\d\d-\d\d:\d\d:\d\d\.png$/);
      assert.equal(
        stdout,
        "Screenshot saved to named.png, with type of image/png\n" +
          `Screenshot saved to ${files[1]}, with type of image/png\n`,
      );
      for (const f of files) {
        const [width, height] = pngSize(await Deno.readFile(`${root}/${f}`));
        assert.ok(width >= 320 && height >= 200, `${f}: ${width}x${height}`);
      }
      stdout = "";
      assert.equal(await shell.runLine("screenshot shot --file other.png --screen 1"), false);
      assert.equal(
        stderr,
        "error: could not take a screenshot of shot\n" +
          "error: Requested operation is not valid: no such screen ID\n",
      );
      assert.equal(stdout, "\n");
      await assert.rejects(Deno.stat(`${root}/other.png`), Deno.errors.NotFound);
      await shell.runLine("destroy shot");
    } finally {
      await conn.close();
      await Deno.remove(root, { recursive: true }).catch(() => {});
    }
  },
});
