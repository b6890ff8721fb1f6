/**
 * evsh's terminal adapter: arguments, stdin/stdout, files, the interactive prompt and the
 * exit status. Everything else lives in the pure modules next to it.
 *
 * @example
 * ```sh
 * deno task evsh -c test:///default 'list --all; dominfo test'
 * ```
 * @module
 */
import { connect } from "../../host.ts";
import { parseArgv } from "./argv.ts";
import type { EvshIO } from "./context.ts";
import { Shell } from "./shell.ts";

const encoder = new TextEncoder();
const write = (f: typeof Deno.stdout, s: string) => {
  const bytes = encoder.encode(s);
  for (let n = 0; n < bytes.length;) n += f.writeSync(bytes.subarray(n));
};

/** strerror(3) for the file errors Deno reports, as virsh words them after the path. */
function strerror(e: unknown): string {
  if (e instanceof Deno.errors.NotFound) return "No such file or directory";
  if (e instanceof Deno.errors.PermissionDenied) return "Permission denied";
  if (e instanceof Deno.errors.IsADirectory) return "Is a directory";
  return e instanceof Error ? e.message : String(e);
}

/**
 * Reads a file for evsh (`EvshIO.readFile`): the text, or an `Error` carrying the strerror
 * text virsh prints.
 *
 * @example
 * ```ts
 * import { readTextFileForEvsh } from "./main.ts";
 * await readTextFileForEvsh("/nonexistent").catch((e) => e.message); // "No such file or directory"
 * ```
 */
export async function readTextFileForEvsh(path: string | URL): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    throw new Error(strerror(e));
  }
}

const io: EvshIO = {
  stdout: (s) => write(Deno.stdout, s),
  stderr: (s) => write(Deno.stderr, s),
  readFile: readTextFileForEvsh,
};

/** Standard input, line by line. */
async function* stdinLines(): AsyncGenerator<string> {
  let buffered = "";
  for await (const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      yield buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
    }
  }
  if (buffered !== "") yield buffered;
}

/** The prompt loop; like virsh, its exit status is 0 whatever the commands did. */
async function interactive(shell: Shell): Promise<void> {
  io.stdout(
    "Welcome to evsh, the virtualization interactive terminal.\n\n" +
      "Type:  'quit' to quit\n\n",
  );
  io.stdout("evsh # ");
  for await (const line of stdinLines()) {
    const cmd = line.trim();
    if (cmd === "quit" || cmd === "exit") return;
    if (cmd !== "") await shell.runLine(line);
    io.stdout("evsh # ");
  }
  io.stdout("\n");
}

async function main(): Promise<number> {
  const inv = parseArgv(Deno.args);
  if (typeof inv === "string") {
    io.stderr(`error: ${inv}\n`);
    return 1;
  }
  const uri = inv.uri ?? Deno.env.get("LIBVIRT_DEFAULT_URI") ?? "test:///default";
  let conn;
  try {
    conn = await connect(uri);
  } catch (e) {
    io.stderr(`error: failed to connect to the hypervisor\nerror: ${(e as Error).message}\n`);
    return 1;
  }
  const shell = new Shell(conn, io);
  try {
    if (inv.mode === "interactive") {
      await interactive(shell);
      return 0;
    }
    const ok = inv.mode === "line"
      ? await shell.runLine(inv.words[0])
      : await shell.runArgv(inv.words);
    return ok ? 0 : 1;
  } finally {
    await conn.close();
  }
}

if (import.meta.main) Deno.exit(await main());
