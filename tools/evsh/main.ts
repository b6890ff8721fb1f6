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
// Only what every run needs is imported here; the client, the shell, the prompt and the file
// helpers load when a run gets to them, so that `--version` starts no client and a one-command
// run loads no prompt (a process's start-up is most of a one-command run).
import type { Connection } from "../../client/connection.ts";
import { VirError } from "../../util/errors.ts";
import { type EvshInvocation, parseArgv } from "./argv.ts";
import type { EvshIO } from "./context.ts";
import { hostTerminal, SharedReader } from "./host_terminal.ts";
import type { Shell } from "./shell.ts";
import { longVersion, usage, VERSION } from "./usage.ts";

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

/** `Deno.open` with the errors `readTextFileForEvsh` gives. */
async function openForEvsh(path: string, options: Deno.OpenOptions): Promise<Deno.FsFile> {
  try {
    return await Deno.open(path, options);
  } catch (e) {
    throw new Error(strerror(e));
  }
}

/**
 * Opens the file virsh's `screenshot` writes (`EvshIO.createFile`): created (`O_EXCL`), else
 * truncated; `discard` removes it only when it was created here.
 *
 * @example
 * ```ts
 * import { createFileForEvsh } from "./main.ts";
 * const path = await Deno.makeTempFile();
 * const out = await createFileForEvsh(path); // exists already: truncated, kept by discard
 * await out.writable.close();
 * ```
 */
export async function createFileForEvsh(
  path: string,
): Promise<{ writable: WritableStream<Uint8Array>; discard(): Promise<void> }> {
  let file: Deno.FsFile;
  let created = true;
  try {
    file = await Deno.open(path, { write: true, createNew: true });
  } catch (e) {
    if (!(e instanceof Deno.errors.AlreadyExists)) throw new Error(strerror(e));
    created = false;
    file = await openForEvsh(path, { write: true, truncate: true });
  }
  return {
    writable: file.writable,
    discard: async () => {
      if (created) await Deno.remove(path).catch(() => {});
    },
  };
}

/** Standard input's one reader, shared by the prompt and `console`; made on first use. */
let stdinShared: SharedReader | undefined;
const stdinReader = () => (stdinShared ??= new SharedReader(Deno.stdin.readable));

const io: EvshIO = {
  stdout: (s) => write(Deno.stdout, s),
  stderr: (s) => write(Deno.stderr, s),
  readFile: readTextFileForEvsh,
  // 1 MiB reads either way (a file's own readable reads 64 KiB at a time).
  openRead: async (path, sparse) => {
    const file = await openForEvsh(path, { read: true });
    const { filePieces } = await import("../../util/sparse_file.ts");
    return await filePieces({ file, path, offset: 0, length: 0, sparse });
  },
  openWrite: async (path) => {
    const file = await openForEvsh(path, { write: true, create: true, truncate: true });
    return await (await import("../../util/sparse_file.ts")).pieceSink(file, path);
  },
  createFile: createFileForEvsh,
  isBlockDevice: async (path) => (await import("./host_io.ts")).isBlockDevice(path),
  openEditor: async (doc) => (await import("./host_io.ts")).openEditSession(doc),
  stdinIsTerminal: Deno.stdin.isTerminal(),
  terminal: Deno.stdin.isTerminal() ? hostTerminal(stdinReader) : undefined,
  onInterrupt: (handler) => {
    Deno.addSignalListener("SIGINT", handler);
    return () => Deno.removeSignalListener("SIGINT", handler);
  },
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

/** Where the prompt's history lives between sessions (virsh: `$XDG_CACHE_HOME/virsh/history`). */
function historyFile(): string | undefined {
  const cache = Deno.env.get("XDG_CACHE_HOME") ??
    (Deno.env.get("HOME") ? `${Deno.env.get("HOME")}/.cache` : undefined);
  return cache && `${cache}/evsh/history`;
}

/** virsh keeps the last 500 lines of history. */
const HISTORY_MAX = 500;

/** Lines from the terminal through the line editor, history kept in {@link historyFile}. */
async function* ttyLines(shell: Shell, prompt: string): AsyncGenerator<string> {
  const file = historyFile();
  const history = file
    ? await Deno.readTextFile(file).then((t) => t.split("\n").filter(Boolean), () => [])
    : [];
  const [{ completions }, { LineEditor, splitKeys }] = await Promise.all([
    import("./completion.ts"),
    import("./line_editor.ts"),
  ]);
  const input = stdinReader();
  const never = new AbortController().signal;
  const decoder = new TextDecoder();
  const pending: string[] = [];
  const editor = new LineEditor({
    write: (s) => io.stdout(s),
    async readKey() {
      while (!pending.length) {
        const bytes = await input.read(never);
        if (bytes === null) return null;
        pending.push(...splitKeys(decoder.decode(bytes, { stream: true })));
      }
      return pending.shift()!;
    },
    complete: (line) => completions(shell.conn, line),
  }, history);
  Deno.stdin.setRaw(true);
  try {
    while (true) {
      const line = await editor.readLine(prompt);
      if (line === null) return;
      Deno.stdin.setRaw(false);
      yield line;
      Deno.stdin.setRaw(true);
    }
  } finally {
    Deno.stdin.setRaw(false);
    if (file) {
      await Deno.mkdir(file.replace(/\/[^/]*$/, ""), { recursive: true }).catch(() => {});
      await Deno.writeTextFile(file, history.slice(-HISTORY_MAX).join("\n") + "\n").catch(() => {});
    }
  }
}

/** The prompt loop; like virsh, its exit status is 0 whatever the commands did. */
async function interactive(shell: Shell): Promise<void> {
  io.stdout(
    "Welcome to evsh, the virtualization interactive terminal.\n\n" +
      "Type:  'help' for help with commands\n" +
      "       'quit' to quit\n\n",
  );
  const prompt = () => (shell.state.readonly ? "evsh > " : "evsh # ");
  if (Deno.stdin.isTerminal()) {
    for await (const line of ttyLines(shell, prompt())) {
      if (line.trim() !== "") await shell.runLine(line);
      if (shell.quitting) return;
    }
    return;
  }
  io.stdout(prompt());
  for await (const line of stdinLines()) {
    if (line.trim() !== "") await shell.runLine(line);
    if (shell.quitting) return;
    io.stdout(prompt());
  }
  io.stdout("\n");
}

/** Opens a connection the way `virshConnect` does (keepalive handling included). */
async function open(uri: string, readonly: boolean, inv: EvshInvocation): Promise<Connection> {
  const { connect } = await import("../../host.ts");
  const conn = await connect(uri, { readonly });
  // virshConnect asks for keepalive (default 5 s); edgevirt's connections have no
  // virConnectSetKeepAlive, so only a keepalive the user forced is an error, as in virsh.
  const forced = inv.keepaliveInterval !== undefined || inv.keepaliveCount !== undefined;
  if (forced && (inv.keepaliveInterval ?? 5) > 0) {
    await conn.close();
    io.stderr("error: Cannot setup keepalive on connection as requested, disconnecting\n");
    throw VirError.report("NONE", "NO_SUPPORT", "virConnectSetKeepAlive");
  }
  return conn;
}

async function main(): Promise<number> {
  const inv = parseArgv(Deno.args);
  if (typeof inv === "string") {
    io.stderr(`error: ${inv}\n`);
    return 1;
  }
  for (const w of inv.warnings ?? []) io.stderr(`error: ${w}\n`);
  if (inv.mode === "help") {
    io.stdout(usage("evsh"));
    return 0;
  }
  if (inv.mode === "version" || inv.mode === "version-long") {
    io.stdout(inv.mode === "version" ? `${VERSION}\n` : longVersion());
    return 0;
  }
  if (inv.log !== undefined) {
    io.stderr("error: option -l/--log is not supported by evsh\n");
    return 1;
  }
  const uri = inv.uri ?? Deno.env.get("LIBVIRT_DEFAULT_URI") ?? "test:///default";
  // The shell and the command's handler load while the connection opens (the handler from the
  // first word: an alias or a wrong guess only loses the head start).
  const shellModule = import("./shell.ts");
  const first = inv.words[0]?.trim().split(/[\s;]+/, 1)[0];
  if (first) import("./commands/mod.ts").then((m) => m.findCommand(first)).catch(() => {});
  let conn;
  try {
    conn = await open(uri, inv.readonly ?? false, inv);
  } catch (e) {
    io.stderr(`error: failed to connect to the hypervisor\nerror: ${(e as Error).message}\n`);
    return 1;
  }
  const interactiveMode = inv.mode === "interactive";
  const { Shell } = await shellModule;
  const shell = new Shell(conn, io, {
    quiet: inv.quiet,
    readonly: inv.readonly,
    timing: inv.timing,
    escape: inv.escape,
    uri,
    interactive: interactiveMode,
    open: (u, ro) => open(u, ro, inv),
    cwd: {
      get: () => Deno.cwd(),
      set: (dir) => Deno.chdir(dir),
      home: () => Deno.env.get("HOME"),
    },
  });
  try {
    if (interactiveMode) {
      await interactive(shell);
      return 0;
    }
    const ok = inv.mode === "line"
      ? await shell.runLine(inv.words[0])
      : await shell.runArgv(inv.words);
    return ok ? 0 : 1;
  } finally {
    await shell.conn.close();
  }
}

if (import.meta.main) Deno.exit(await main());
