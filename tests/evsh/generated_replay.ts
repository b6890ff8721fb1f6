/**
 * Replays the generated virsh recordings (`tests/evsh/generated/recorded.json`) through evsh:
 * each command line on a fresh in-process `test:///default`, run like the recorder runs virsh:
 * in a scratch directory holding a fresh copy of the fixtures, so that the files a command
 * writes (the test driver's save images and core dumps) never touch the repository; files evsh
 * itself writes go to memory. Values virsh and evsh draw at random (UUIDs and MACs that the command line
 * does not name) and CPU times are masked on both sides before comparing.
 *
 * @example
 * ```ts
 * import { loadRecorded, replay } from "./generated_replay.ts";
 * const [first] = loadRecorded();
 * (await replay(first)).same; // true when evsh answers exactly as virsh did
 * ```
 * @module
 */
import { connect } from "../../host.ts";
import { Shell } from "../../tools/evsh/mod.ts";
import { readTextFileForEvsh } from "../../tools/evsh/main.ts";
import { isBlockDevice, openEditSession } from "../../tools/evsh/host_io.ts";
import { GENERATED_EDITOR } from "../tools/gen_evsh_sequences.ts";

/** One recorded case: the command line and virsh's stdout, stderr and exit status. */
export interface Recorded {
  cmd: string;
  stdout: string;
  stderr: string;
  status: number;
}

const ROOT = new URL("../../", import.meta.url);
const DIR = new URL("tests/evsh/generated/", ROOT);

/**
 * The recorded cases, in recording order: the committed recording, or `file` (a fresh seed
 * recorded elsewhere by `GEN_SEED=N GEN_OUT=FILE bash tests/tools/record_virsh.sh generated`).
 */
export function loadRecorded(file: string | URL = new URL("recorded.json", DIR)): Recorded[] {
  return JSON.parse(Deno.readTextFileSync(file));
}

/** Command lines known to differ, with the reason, as `known_differences.json` lists them. */
export function loadKnown(): Map<string, string> {
  const list: { cmd: string; reason: string }[] = JSON.parse(
    Deno.readTextFileSync(new URL("known_differences.json", DIR)),
  );
  return new Map(list.map((k) => [k.cmd, k.reason]));
}

/**
 * Masks clock-derived and random values that `cmd` does not name itself: UUIDs and MACs,
 * CPU times, the test driver's clock-made counters and times (snapshot names, statistics),
 * screenshot file names, and the scratch and editor temporary paths.
 */
export function mask(cmd: string, text: string): string {
  const seen = new Map<string, string>();
  const named = cmd.toLowerCase();
  const sub = (kind: string) => (m: string) => {
    if (named.includes(m.toLowerCase())) return m;
    const key = `${kind}:${m.toLowerCase()}`;
    if (!seen.has(key)) {
      seen.set(key, `${kind}#${[...seen.keys()].filter((k) => k.startsWith(kind)).length + 1}`);
    }
    return seen.get(key)!;
  };
  return text
    .replace(/^(CPU time:\s+)\d+\.\ds$/gm, "$1<masked>")
    .replace(/^(\S+ (?:rd|wr|rx|tx)_\w+ |\S+ errs )\d+$/gm, "$1<clock>")
    .replace(/^( number of [a-z ]+:\s+| error count:\s+)\d+$/gm, "$1<clock>")
    .replace(/\b1[6-9]\d{8}\b/g, (m) => (named.includes(m) ? m : "<epoch>"))
    .replace(/\d{4}-\d\d-\d\d-\d\d:\d\d:\d\d\.png/g, "<date>.png")
    .replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}/g, "<time>")
    .replace(/\/tmp\/(?:tmp\.\w{10}|evsh-replay-\w+)/g, "<work>")
    .replace(/\/tmp\/virsh\w+\.xml/g, "<tmpfile>")
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, sub("uuid"))
    .replace(/\b[0-9a-f]{2}(?::[0-9a-f]{2}){5}\b/gi, sub("mac"));
}

/** What evsh answered, and whether it is virsh's answer after masking. */
export interface Replayed {
  got: Recorded;
  same: boolean;
  /** The first differing part: `stdout`, `stderr` or `status`. */
  differs?: "stdout" | "stderr" | "status";
}

let scratch: string | undefined;

/** Copies the fixtures into `dir`, as the recorder does before each case. */
function copyFixtures(dir: string): void {
  const from = new URL("tests/evsh/fixtures/", ROOT);
  Deno.mkdirSync(`${dir}/tests/evsh/fixtures`, { recursive: true });
  for (const f of Deno.readDirSync(from)) {
    if (f.isFile) Deno.copyFileSync(new URL(f.name, from), `${dir}/tests/evsh/fixtures/${f.name}`);
  }
}

/** Runs one recorded command line through evsh and compares. */
export async function replay(want: Recorded): Promise<Replayed> {
  let stdout = "";
  let stderr = "";
  const files = new Map<string, string>();
  const dir = scratch ?? Deno.makeTempDirSync({ prefix: "evsh-replay-" });
  scratch = dir;
  // Emptied before each case, as the recorder does: no case sees another's files.
  for (const f of Deno.readDirSync(dir)) Deno.removeSync(`${dir}/${f.name}`, { recursive: true });
  copyFixtures(dir);
  const base = new URL(`file://${dir}/`);
  const cwd = Deno.cwd();
  Deno.chdir(dir);
  const conn = await connect("test:///default");
  let ok: boolean;
  try {
    const shell = new Shell(conn, {
      stdout: (s) => (stdout += s),
      stderr: (s) => (stderr += s),
      readFile: (path) =>
        files.has(path)
          ? Promise.resolve(files.get(path)!)
          : readTextFileForEvsh(new URL(path, base)),
      isBlockDevice,
      openEditor: (doc) =>
        openEditSession(doc, {
          ...Deno.env.toObject(),
          VISUAL: undefined,
          EDITOR: GENERATED_EDITOR,
        }),
      writeFile: (path, text) => {
        files.set(path, text);
        return Promise.resolve();
      },
      createFile: (path) => {
        let text = "";
        const decoder = new TextDecoder();
        return Promise.resolve({
          writable: new WritableStream<Uint8Array>({
            write: (chunk) => void (text += decoder.decode(chunk, { stream: true })),
            close: () => void files.set(path, text),
          }),
          discard: () => Promise.resolve(),
        });
      },
    }, {
      uri: "test:///default",
      open: (uri, readonly) => connect(uri, { readonly }),
      // Paths handed to save/restore/dump are made absolute against it, as libvirt does.
      cwd: { get: () => dir, set: () => {}, home: () => undefined },
    });
    ok = await shell.runLine(want.cmd);
    await shell.conn.close();
  } finally {
    await conn.close();
    Deno.chdir(cwd);
  }
  const got = { cmd: want.cmd, stdout, stderr, status: ok ? 0 : 1 };
  const differs = (["stdout", "stderr", "status"] as const).find((k) =>
    mask(want.cmd, String(got[k])) !== mask(want.cmd, String(want[k]))
  );
  return { got, same: differs === undefined, differs };
}
