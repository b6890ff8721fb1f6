/**
 * What a command handler works with: the connection, output, virsh's option getters
 * (`vshCommandOpt*`) and its error discipline (`vshError` lines, the saved last libvirt error
 * that `vshReportError` prints when a command fails, `vshResetLibvirtError`).
 * @module
 */
import type { Connection } from "../../client/connection.ts";
import { VirError } from "../../util/errors.ts";
import { type IntKind, scaledInteger, strToLong } from "./numbers.ts";
import type { Args } from "./options.ts";
import { hasFlag } from "./virsh_defs.ts";

/** The shell's outside world; `main.ts` binds it to Deno, tests to buffers. */
export interface EvshIO {
  /** Writes to standard output. */
  stdout(text: string): void;
  /** Writes to standard error. */
  stderr(text: string): void;
  /** Reads a text file; rejects with an `Error` whose message is the `strerror` text. */
  readFile(path: string): Promise<string>;
  /** Writes a text file; rejects like `readFile`. Absent where evsh cannot write files. */
  writeFile?(path: string, text: string): Promise<void>;
  /** A file's bytes as a stream (`vol-upload`); rejects like `readFile`. */
  openRead?(path: string): Promise<ReadableStream<Uint8Array>>;
  /** A file created or truncated for writing (`vol-download`); rejects like `readFile`. */
  openWrite?(path: string): Promise<WritableStream<Uint8Array>>;
  /**
   * A file for writing as virsh's `screenshot` opens it: created, or truncated when it exists
   * (`O_CREAT|O_EXCL`, then `O_TRUNC`); `discard` removes it again if it was created here.
   * Rejects like `readFile`.
   */
  createFile?(
    path: string,
  ): Promise<{ writable: WritableStream<Uint8Array>; discard(): Promise<void> }>;
  /** Whether `path` is a block device (`stat` + `S_ISBLK`); absent where there are none. */
  isBlockDevice?(path: string): Promise<boolean>;
  /**
   * Opens an editor session on `doc` (virsh's temporary file and `$EDITOR`); absent where
   * no editor can run.
   */
  openEditor?(doc: string): Promise<{ edit(): Promise<string>; close(): Promise<void> }>;
  /**
   * `vshAskReedit`: the user's answer (`y`, `n`, `f`, or `i` when `relax` is offered) after
   * a failed redefinition; absent or undefined where standard input is no terminal.
   */
  askReedit?(message: string, relax: boolean): Promise<string | undefined>;
  /** Whether standard input is a terminal (`isatty(STDIN_FILENO)`). */
  stdinIsTerminal?: boolean;
  /** The controlling terminal, for `console`; absent where there is none. */
  terminal?: EvshTerminal;
  /** Calls `handler` on Ctrl-C (SIGINT) until the returned function is called. */
  onInterrupt?(handler: () => void): () => void;
}

/**
 * The terminal `console` attaches a guest to (virsh's `vshTTYMakeRaw` and its standard input
 * and output file descriptors).
 */
export interface EvshTerminal {
  /**
   * Puts standard input in raw mode (`true`), or back in the mode it had before (`false`);
   * rejects with an `Error` carrying the system's complaint.
   */
  setRaw(raw: boolean): Promise<void>;
  /**
   * The next bytes typed, null at the end of input. Aborting `signal` gives up the wait (the
   * promise rejects) without losing the bytes: the next read gets them.
   */
  read(signal: AbortSignal): Promise<Uint8Array | null>;
  /** Writes bytes to standard output. */
  write(bytes: Uint8Array): Promise<void>;
  /**
   * Catches SIGINT, SIGTERM, SIGHUP and SIGQUIT until the returned function is called, as
   * virsh does so that a signal cannot leave the terminal raw.
   */
  holdSignals(): () => void;
}

/** Thrown by a handler to end its command as failed; the shell reports the saved error. */
export class CommandFailed extends Error {
  constructor() {
    super("command failed");
  }
}

/** What the shell keeps between commands (virsh's `vshControl`): settings and state. */
export interface ShellState {
  conn: Connection;
  /** `-q`: `vshPrintExtra` prints nothing. */
  quiet: boolean;
  /** `-r`, `connect --readonly`. */
  readonly: boolean;
  /** The URI the shell connected to (`connect` without a name reconnects to it). */
  uri: string;
  /** Opens a connection (`virshConnect`), for `connect`. */
  open?(uri: string, readonly: boolean): Promise<Connection>;
  /** Whether the shell reads commands at its prompt (`cd` works only there). */
  interactive?: boolean;
  /** `-t`: each command's time follows it. */
  timing?: boolean;
  /** `-e`: the console's escape sequence (`^]` by default). */
  escape?: string;
  /** `cd`/`pwd`: the working directory, when the host has one. */
  cwd?: { get(): string; set(dir: string): void; home(): string | undefined };
}

/** A shell command's handler (`vshCmdDef.handler`); its options come from the virsh table. */
export interface CommandDef {
  name: string;
  /** Runs the command; `false` or a thrown {@link CommandFailed} means failure. */
  run(ctx: CommandContext, args: Args): Promise<boolean | void>;
}

/**
 * Per-command state handed to handlers.
 *
 * @example
 * ```ts
 * import { CommandContext } from "./context.ts";
 * import { connect } from "../../host.ts";
 * const conn = await connect("test:///default");
 * const io = { stdout: (s: string) => console.log(s), stderr: (s: string) => console.error(s),
 *   readFile: () => Promise.reject(new Error("unused")) };
 * const ctx = new CommandContext(conn, io);
 * ctx.print(`${await ctx.call(() => conn.getHostname())}\n`);
 * await conn.close();
 * ```
 */
export class CommandContext {
  readonly conn: Connection;
  readonly io: EvshIO;
  readonly state?: ShellState;
  /** The last libvirt error since the last reset (virsh's `last_error`). */
  lastError?: VirError;

  constructor(conn: Connection, io: EvshIO, state?: ShellState) {
    this.conn = conn;
    this.io = io;
    this.state = state;
  }

  /** `vshPrint`. */
  print(text: string): void {
    this.io.stdout(text);
  }

  /** `vshPrintExtra`: silent under `-q`. */
  printExtra(text: string): void {
    if (!this.state?.quiet) this.io.stdout(text);
  }

  /** `vshError`: one `error: …` line on stderr. */
  error(message: string): void {
    this.io.stderr(`error: ${message}\n`);
  }

  /** `vshReportError`: prints the saved libvirt error now, if any, and forgets it. */
  reportNow(): void {
    if (this.lastError) this.error(this.lastError.message);
    this.resetError();
  }

  /** `vshResetLibvirtError`. */
  resetError(): void {
    this.lastError = undefined;
  }

  /** Ends the command as failed, after printing `message` if given. */
  fail(message?: string): never {
    if (message !== undefined) this.error(message);
    throw new CommandFailed();
  }

  /**
   * Runs a libvirt call; on a libvirt error, saves it, prints `failMessage` if given and fails
   * the command (the saved error then follows on its own line).
   */
  async call<T>(fn: () => Promise<T>, failMessage?: string): Promise<T> {
    const r = await this.attempt(fn);
    if (!r.ok) this.fail(failMessage);
    return r.value;
  }

  /** Runs a libvirt call whose failure the caller handles; the error is saved either way. */
  async attempt<T>(fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false }> {
    try {
      return { ok: true, value: await fn() };
    } catch (e) {
      if (!(e instanceof VirError)) throw e;
      this.lastError = e;
      return { ok: false };
    }
  }

  /**
   * `vshCommandOptStringReq`: the option's value, undefined when absent; an empty value is
   * refused unless the option allows it.
   */
  optString(args: Args, name: string): string | undefined {
    const g = args.given.find((o) => o.def.name === name);
    if (g?.value === undefined) return undefined;
    if (g.value === "" && !hasFlag(g.def, "empty_ok")) {
      this.fail(`Failed to get option '${name}': Option argument is empty`);
    }
    return g.value;
  }

  /**
   * `vshCommandOptStringQuiet`: like {@link optString}, but an empty value not allowed by the
   * option is reported as `null` for the caller to word.
   */
  optStringQuiet(args: Args, name: string): string | undefined | null {
    const g = args.given.find((o) => o.def.name === name);
    if (g?.value === undefined) return undefined;
    return g.value === "" && !hasFlag(g.def, "empty_ok") ? null : g.value;
  }

  /**
   * `vshCommandOptInt`/`UInt`/`UL`/`LongLong`/… by `virStrToLong_<kind>`: undefined when
   * absent, the command's failure when malformed.
   */
  optInt(args: Args, name: string, kind: IntKind): number | undefined {
    const s = args.string(name);
    if (s === undefined) return undefined;
    const r = strToLong(s, kind);
    if (!r) this.fail(`Numeric value '${s}' for <${name}> option is malformed or out of range`);
    return Number(r.value);
  }

  /** {@link optInt} as a bigint, for 64-bit values beyond 2^53. */
  optBigInt(args: Args, name: string, kind: IntKind): bigint | undefined {
    const s = args.string(name);
    if (s === undefined) return undefined;
    const r = strToLong(s, kind);
    if (!r) this.fail(`Numeric value '${s}' for <${name}> option is malformed or out of range`);
    return r.value;
  }

  /** `vshCommandOptScaledInt`: bytes (default unit `scale`), at most `max`. */
  optScaled(args: Args, name: string, scale: number, max: bigint): number | undefined {
    const s = args.string(name);
    if (s === undefined) return undefined;
    const r = scaledInteger(s, scale, max);
    if (typeof r !== "bigint") {
      if (r) this.lastError = r;
      this.fail(`Scaled numeric value '${s}' for <${name}> option is malformed or out of range`);
    }
    return Number(r);
  }

  /**
   * `vshCommandOptScaledInt` up to `ULLONG_MAX` as a bigint: bytes, default unit `scale`;
   * 0 when absent.
   */
  optBigIntScaled(args: Args, name: string, scale: number): bigint {
    const s = args.string(name);
    if (s === undefined) return 0n;
    const r = scaledInteger(s, scale, (1n << 64n) - 1n);
    if (typeof r !== "bigint") {
      if (r) this.lastError = r;
      this.fail(`Scaled numeric value '${s}' for <${name}> option is malformed or out of range`);
    }
    return r;
  }

  /** `vshCommandOptUInt` with virsh 9.0's historical name, kept for older handlers. */
  uint(args: Args, name: string): number | undefined {
    return this.optInt(args, name, "uip");
  }

  /**
   * `vshCommandOptScaledInt` in KiB: a size with an optional unit suffix (none means KiB),
   * rounded up to whole KiB; virsh's limit `1024ull * ULONG_MAX` wraps to 2^64 - 1024.
   */
  kibibytes(args: Args, name: string): number | undefined {
    const bytes = this.optScaled(args, name, 1024, (1n << 64n) - 1024n);
    return bytes === undefined ? undefined : Math.ceil(bytes / 1024);
  }

  /**
   * `g_canonicalize_filename(path, NULL)`, as libvirt's save, restore, save image and core dump
   * entry points turn a path into the one the driver sees: relative to the working directory,
   * `.` and `..` resolved, repeated slashes folded. Unchanged where the shell has no working
   * directory.
   */
  absolutePath(path: string): string {
    const cwd = this.state?.cwd?.get();
    if (cwd === undefined) return path;
    const full = path.startsWith("/") ? path : `${cwd}/${path}`;
    const parts: string[] = [];
    for (const p of full.split("/")) {
      if (p === "" || p === ".") continue;
      if (p === "..") parts.pop();
      else parts.push(p);
    }
    return `/${parts.join("/")}`;
  }

  /**
   * `virFileReadAll` for an XML file argument; an unreadable file is a libvirt system error
   * ("Failed to open file '…': …"), reported like any other.
   */
  async readFile(path: string): Promise<string> {
    try {
      return await this.io.readFile(path);
    } catch (e) {
      this.lastError = VirError.report(
        "NONE",
        "SYSTEM_ERROR",
        `Failed to open file '${path}': ${(e as Error).message}`,
      );
      throw new CommandFailed();
    }
  }
}
