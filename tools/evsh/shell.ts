/**
 * The command loop of virsh (`vshCommandParse` + `vshCommandRun`): a line is lexed and parsed
 * whole, then its commands run in order; a failed command reports its saved libvirt error,
 * every command that ran is followed by a blank line (`vshPrintExtra`), and the status is the
 * last command's. `quit`/`exit` end the line and the session.
 * @module
 */
import type { Connection } from "../../client/connection.ts";
import { VirError } from "../../util/errors.ts";
import { CommandContext, CommandFailed, type EvshIO, type ShellState } from "./context.ts";
import { findCommand } from "./commands/mod.ts";
import { parseCommands, type ParsedCommand } from "./options.ts";
import { lex } from "./tokenize.ts";

/** Options of a {@link Shell} beyond its connection and IO. */
export interface ShellOptions {
  quiet?: boolean;
  readonly?: boolean;
  uri?: string;
  open?: ShellState["open"];
  cwd?: ShellState["cwd"];
  interactive?: boolean;
  timing?: boolean;
  escape?: string;
}

/**
 * One evsh session on an open connection.
 *
 * @example
 * ```ts
 * import { connect } from "../../host.ts";
 * import { Shell } from "./shell.ts";
 * const conn = await connect("test:///default");
 * const shell = new Shell(conn, { stdout: (s) => console.log(s), stderr: (s) => console.error(s),
 *   readFile: () => Promise.reject(new Error("No such file or directory")) });
 * await shell.runLine("domstate test; uri"); // true
 * await conn.close();
 * ```
 */
export class Shell {
  readonly io: EvshIO;
  readonly state: ShellState;
  /** Set once `quit` or `exit` ran. */
  quitting = false;

  constructor(conn: Connection, io: EvshIO, options: ShellOptions = {}) {
    this.io = io;
    this.state = {
      conn,
      quiet: options.quiet ?? false,
      readonly: options.readonly ?? conn.readonly,
      uri: options.uri ?? conn.uri,
      open: options.open,
      cwd: options.cwd,
      interactive: options.interactive,
      timing: options.timing,
      escape: options.escape,
    };
  }

  /** The current connection (`connect` may replace it). */
  get conn(): Connection {
    return this.state.conn;
  }

  /** Runs a command line (`virsh -c URI 'cmd1; cmd2'`); true when the last command succeeded. */
  runLine(line: string): Promise<boolean> {
    const lexed = lex(line);
    if (!lexed.ok) return Promise.resolve(this.#syntaxError([lexed.error]));
    return this.#runWords(lexed.commands);
  }

  /** Runs one command given as separate words (`virsh -c URI cmd arg…`: no re-splitting). */
  runArgv(words: string[]): Promise<boolean> {
    return this.#runWords(words.length ? [words] : []);
  }

  async #runWords(commands: string[][]): Promise<boolean> {
    const parsed = parseCommands(commands);
    if (!parsed.ok) return this.#syntaxError(parsed.errors);
    let ok = true;
    for (const cmd of parsed.commands) {
      ok = await this.#runOne(cmd);
      if (this.quitting) break;
    }
    return ok;
  }

  async #runOne({ spec, args }: ParsedCommand): Promise<boolean> {
    const ctx = new CommandContext(this.state.conn, this.io, this.state);
    const def = await findCommand(spec.name);
    const before = performance.now();
    let ok: boolean;
    try {
      if (!def) return ctx.fail(`command '${spec.name}' is not implemented in evsh`);
      ok = (await def.run(ctx, args)) !== false;
    } catch (e) {
      if (e instanceof VirError) ctx.lastError = e;
      else if (!(e instanceof CommandFailed)) throw e;
      ok = false;
    }
    if (!ok && ctx.lastError) ctx.error(ctx.lastError.message);
    if (spec.name === "quit" || spec.name === "exit") {
      this.quitting = true;
      return ok;
    }
    if (this.state.timing) {
      ctx.print(`\n(Time: ${(performance.now() - before).toFixed(3)} ms)\n\n`);
    } else ctx.printExtra("\n");
    return ok;
  }

  #syntaxError(messages: string[]): boolean {
    for (const m of messages) this.io.stderr(`error: ${m}\n`);
    return false;
  }
}
