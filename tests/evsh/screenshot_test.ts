/**
 * evsh `screenshot` against real virsh 9.0 on test:///default (recorded by
 * `/usr/bin/python3 tests/tools/record_virsh_screenshot.py`): the same output, status and files,
 * byte for byte (the image is libvirt's test-screenshot.png), run in a scratch directory holding
 * the recorder's `existing.bin`. Clock-made file names are masked as the recorder masks them.
 * The image comes the same through a gateway.
 */
import assert from "node:assert/strict";
import { connect } from "../../host.ts";
import { createGateway } from "../../gateway/app.ts";
import { testConnectDriver } from "../../drivers/simulator/mod.ts";
import { createRegistry } from "../../util/registry.ts";
import { Shell } from "../../tools/evsh/mod.ts";
import { createFileForEvsh, readTextFileForEvsh } from "../../tools/evsh/main.ts";
import { pngSize } from "../gateway/png.ts";
import { inDir } from "./in_dir.ts";

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
    await Deno.writeFile(`${dir}/existing.bin`, new Uint8Array(100000).fill(0x78));
    const readonly = want.argv.includes("-r");
    const conn = await connect("test:///default", { readonly });
    let stdout = "";
    let stderr = "";
    try {
      const shell = new Shell(conn, {
        stdout: (s) => (stdout += s),
        stderr: (s) => (stderr += s),
        readFile: readTextFileForEvsh,
        createFile: inDir(dir),
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
      await conn.close();
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("evsh screenshot through a gateway (test+http): the same image and line", async () => {
  const gw = await createGateway({
    drivers: ["test:///default"],
    registry: createRegistry([testConnectDriver]),
    auth: "none",
  });
  const conn = await connect("test+http://gw.invalid/default", {
    fetch: (input, init) => gw.fetch(new Request(input, init)),
  });
  const dir = await Deno.makeTempDir({ prefix: "evsh-shot-gw-" });
  let stdout = "";
  try {
    const shell = new Shell(conn, {
      stdout: (s) => (stdout += s),
      stderr: (s) => (stdout += s),
      readFile: readTextFileForEvsh,
      createFile: createFileForEvsh,
    });
    assert.equal(await shell.runLine(`screenshot test ${dir}/shot.png`), true);
    assert.equal(stdout, `Screenshot saved to ${dir}/shot.png, with type of image/png\n`);
    const want = cases.find((c) => c.argv[0] === "screenshot test shot.png")!.files["shot.png"];
    assert.deepEqual((await filesOf(dir))["shot.png"], want);
  } finally {
    await conn.close();
    await gw.close();
    await Deno.remove(dir, { recursive: true });
  }
});
