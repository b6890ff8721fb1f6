/**
 * evsh `screenshot` against real virsh 9.0 on test:///default (recorded by
 * `/usr/bin/python3 tests/tools/record_virsh_screenshot.py`): the same output, status and files,
 * byte for byte (the image is libvirt's test-screenshot.png), run in a scratch directory holding
 * the recorder's `existing.bin`. Clock-made file names are masked as the recorder masks them.
 */
import assert from "node:assert/strict";
import { connect } from "../../host.ts";
import { Shell } from "../../tools/evsh/mod.ts";
import { createFileForEvsh, readTextFileForEvsh } from "../../tools/evsh/main.ts";
import { pngSize } from "../gateway/png.ts";

interface Case {
  argv: string[];
  stdout: string;
  stderr: string;
  status: number;
  files: Record<string, { size: number; sha256: string }>;
}

const DATE = /\d{4}-\d\d-\d\d-\d\d:\d\d:\d\d/g;
const cases: Case[] = JSON.parse(
  Deno.readTextFileSync(new URL("screenshot/recorded.json", import.meta.url)),
);

async function filesOf(dir: string): Promise<Case["files"]> {
  const out: Case["files"] = {};
  const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  for (const name of names) {
    const data = await Deno.readFile(`${dir}/${name}`);
    const sha = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
    out[name.replace(DATE, "<date>")] = {
      size: data.length,
      sha256: [...sha].map((b) => b.toString(16).padStart(2, "0")).join(""),
    };
  }
  return out;
}

for (const want of cases) {
  Deno.test(`evsh screenshot: virsh ${want.argv.join(" ")}`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "evsh-shot-" });
    const cwd = Deno.cwd();
    await Deno.writeFile(`${dir}/existing.bin`, new Uint8Array(100000).fill(0x78));
    const readonly = want.argv.includes("-r");
    const conn = await connect("test:///default", { readonly });
    let stdout = "";
    let stderr = "";
    Deno.chdir(dir);
    try {
      const shell = new Shell(conn, {
        stdout: (s) => (stdout += s),
        stderr: (s) => (stderr += s),
        readFile: readTextFileForEvsh,
        createFile: createFileForEvsh,
      }, { readonly, quiet: want.argv.includes("-q") });
      const ok = await shell.runLine(want.argv.at(-1)!);
      assert.deepEqual(
        {
          stdout: stdout.replace(DATE, "<date>"),
          stderr: stderr.replace(DATE, "<date>"),
          status: ok ? 0 : 1,
        },
        { stdout: want.stdout, stderr: want.stderr, status: want.status },
      );
      assert.deepEqual(await filesOf(dir), want.files);
      for (const [name, f] of Object.entries(want.files)) {
        if (f.size !== 33443) continue;
        const real = [...Deno.readDirSync(dir)].find((e) =>
          e.name.replace(DATE, "<date>") === name
        )!;
        assert.deepEqual(pngSize(await Deno.readFile(`${dir}/${real.name}`)), [1120, 832]);
      }
    } finally {
      Deno.chdir(cwd);
      await conn.close();
      await Deno.remove(dir, { recursive: true });
    }
  });
}
