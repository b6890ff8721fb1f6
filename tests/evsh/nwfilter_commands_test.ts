/**
 * evsh's nwfilter commands against virsh 9.0's: the command lines of
 * tests/fixtures/nwfilter/virsh/commands.txt, recorded with `virsh -c qemu:///system` on a root
 * libvirtd by tests/tools/nwfilter/record_virsh.sh, run in order through evsh in-process on
 * `qemu:///embed?root=TMP` (its nwfilter driver is privileged, as the system one). stdout,
 * stderr and the exit status must match; UUIDs the lines do not name are masked on both sides
 * (the built-in filters get random ones).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { FIXTURES } from "../paths.ts";
import { connect } from "../../host.ts";
import { Shell } from "../../tools/evsh/mod.ts";
import { withRoot } from "../drivers/secondary_helpers.ts";

const DIR = join(FIXTURES, "nwfilter/virsh");

interface Line {
  line: string;
  stdout: string;
  stderr: string;
  rc: number;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

Deno.test("nwfilter commands: evsh answers as virsh 9.0 on qemu:///system", async (t) => {
  const transcript: Line[] = JSON.parse(await Deno.readTextFile(join(DIR, "transcript.json")));
  const inputs = [
    "commands.txt",
    "evsh-test.xml",
    "evsh-test-clash.xml",
    "binding.xml",
    "binding-bad-uuid.xml",
  ];
  const named = new Set(
    (await Promise.all(inputs.map((f) => Deno.readTextFile(join(DIR, f))))).join("").match(UUID),
  );
  const mask = (s: string) => s.replace(UUID, (u) => named.has(u) ? u : "UUID");
  await withRoot(async (root) => {
    const conn = await connect(`qemu:///embed?root=${root}`);
    let stdout = "";
    let stderr = "";
    const shell = new Shell(conn, {
      stdout: (s) => (stdout += s),
      stderr: (s) => (stderr += s),
      readFile: (path) => Deno.readTextFile(join(DIR, path)),
    });
    try {
      for (const want of transcript) {
        await t.step(want.line, async () => {
          stdout = stderr = "";
          const ok = await shell.runLine(want.line);
          assert.deepEqual(
            { stdout: mask(stdout), stderr: mask(stderr), rc: ok ? 0 : 1 },
            { stdout: want.stdout, stderr: want.stderr, rc: want.rc },
          );
        });
      }
    } finally {
      await conn.close();
    }
  });
});
