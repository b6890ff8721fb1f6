/**
 * What a command handler works with: the connection, output, and virsh's error discipline
 * (`vshError` lines, the saved last libvirt error that `vshReportError` prints when a command
 * fails, `vshResetLibvirtError`).
 * @module
 */
import type { Connection } from "../../client/connection.ts";
import { VirError } from "../../util/errors.ts";
import type { Args, OptionDef } from "./options.ts";

/** The shell's outside world; `main.ts` binds it to Deno, tests to buffers. */
export interface EvshIO {
  /** Writes to standard output. */
  stdout(text: string): void;
  /** Writes to standard error. */
  stderr(text: string): void;
  /** Reads a text file; rejects with an `Error` whose message is the `strerror` text. */
  readFile(path: string): Promise<string>;
}

/** Thrown by a handler to end its command as failed; the shell reports the saved error. */
export class CommandFailed extends Error {
  constructor() {
    super("command failed");
  }
}

/** A shell command: name, option table and handler (`vshCmdDef`). */
export interface CommandDef {
  name: string;
  options: readonly OptionDef[];
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
  /** The last libvirt error since the last reset (virsh's `last_error`). */
  lastError?: VirError;

  constructor(conn: Connection, io: EvshIO) {
    this.conn = conn;
    this.io = io;
  }

  /** `vshPrint`. */
  print(text: string): void {
    this.io.stdout(text);
  }

  /** `vshError`: one `error: …` line on stderr. */
  error(message: string): void {
    this.io.stderr(`error: ${message}\n`);
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

  /** `vshCommandOptInt`/`UInt`: a whole decimal number within [min, 2^32-1]. */
  uint(args: Args, name: string): number | undefined {
    const s = args.string(name);
    if (s === undefined) return undefined;
    const n = /^\s*\+?\d+$/.test(s) ? Number(s) : NaN;
    if (!(n <= 0xffffffff)) {
      this.fail(`Numeric value '${s}' for <${name}> option is malformed or out of range`);
    }
    return n;
  }

  /**
   * `vshCommandOptScaledInt` in KiB: a size with an optional unit suffix (`b`, `k`/`KiB`,
   * `KB`, `M`, `G`, …; none means KiB), rounded up to whole KiB.
   */
  kibibytes(args: Args, name: string): number | undefined {
    const s = args.string(name);
    if (s === undefined) return undefined;
    const bytes = parseScaled(s, 1024);
    if (bytes === undefined) {
      this.fail(`Scaled numeric value '${s}' for <${name}> option is malformed or out of range`);
    }
    return Math.ceil(bytes / 1024);
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

/** `virStrToLong_ullp` + `virScaleInteger`: bytes, or undefined when malformed. */
function parseScaled(s: string, defaultScale: number): number | undefined {
  const m = /^\s*\+?(\d+)(.*)$/.exec(s);
  if (!m) return undefined;
  const suffix = m[2];
  let scale = defaultScale;
  if (suffix !== "") {
    const power = "bkmgtpe".indexOf(suffix[0].toLowerCase());
    const rest = suffix.slice(1);
    if (power < 0) return undefined;
    if (power === 0) {
      if (rest !== "") return undefined;
      scale = 1;
    } else {
      const base = rest === "" || rest === "iB" ? 1024 : rest === "B" ? 1000 : 0;
      if (!base) return undefined;
      scale = base ** power;
    }
  }
  const v = Number(m[1]) * scale;
  return Number.isSafeInteger(v) ? v : undefined;
}
