/**
 * evsh against real virsh 9.0: every command line recorded by `tests/tools/record_virsh.sh`
 * runs through evsh in-process on a fresh `test:///default` connection, and stdout, stderr and
 * the exit status must match the recording byte for byte. Only CPU times, which the test
 * driver derives from the clock, are masked on both sides.
 */
import { connect } from "../../host.ts";
import { Shell } from "../../tools/evsh/mod.ts";
import { readTextFileForEvsh } from "../../tools/evsh/main.ts";
import type { Recorded } from "./generated_replay.ts";

type Golden = Recorded;

const ROOT = new URL("../../", import.meta.url);
const GOLDEN = new URL("tests/evsh/golden/", ROOT);
// The path record_virsh.sh saves to; cleared before each case as the recorder does.
const SAVE = "/tmp/evsh-golden-test.save";

/** Clock-derived values: `CPU time:       1795757924.0s`. */
function mask(s: string): string {
  return s.replace(/^(CPU time:\s+)\d+\.\ds$/gm, "$1<masked>");
}

/** Runs one command line the way `virsh -c test:///default 'LINE'` does. */
async function runEvsh(line: string): Promise<Golden> {
  let stdout = "";
  let stderr = "";
  const conn = await connect("test:///default");
  try {
    const shell = new Shell(conn, {
      stdout: (s) => (stdout += s),
      stderr: (s) => (stderr += s),
      // Fixture paths in the goldens are relative to the repository root.
      readFile: (path) => readTextFileForEvsh(new URL(path, ROOT)),
    });
    const ok = await shell.runLine(line);
    return { cmd: line, stdout, stderr, status: ok ? 0 : 1 };
  } finally {
    await conn.close();
  }
}

const files = [...Deno.readDirSync(GOLDEN)].map((e) => e.name).filter((n) => n.endsWith(".json"))
  .sort();

for (const file of files) {
  const cases: Golden[] = JSON.parse(Deno.readTextFileSync(new URL(file, GOLDEN)));
  for (const want of cases) {
    Deno.test(`evsh ${file.replace(/\.json$/, "")}: ${want.cmd}`, async () => {
      await Deno.remove(SAVE).catch(() => {});
      const got = await runEvsh(want.cmd);
      await Deno.remove(SAVE).catch(() => {});
      const diffs = (["stdout", "stderr", "status"] as const).filter((k) =>
        mask(String(got[k])) !== mask(String(want[k]))
      ).map((k) => `${k}:\n  virsh ${JSON.stringify(want[k])}\n  evsh  ${JSON.stringify(got[k])}`);
      if (diffs.length) throw new Error(diffs.join("\n"));
    });
  }
}
