/**
 * The command loop of virsh (`vshCommandParse` + `vshCommandRun`): a line is lexed and parsed
 * whole, then its commands run in order on one connection; a failed command reports its saved
 * libvirt error, every command that ran is followed by a blank line, and the status is the
 * last command's.
 * @module
 */
import type { Connection } from "../../client/connection.ts";
import { VirError } from "../../util/errors.ts";
import { CommandContext, CommandFailed, type EvshIO } from "./context.ts";
import { findCommand } from "./commands/mod.ts";
import { parseCommands, type ParsedCommand } from "./options.ts";
import type { CommandDef } from "./context.ts";
import { lex } from "./tokenize.ts";

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
  readonly conn: Connection;
  readonly io: EvshIO;

  constructor(conn: Connection, io: EvshIO) {
    this.conn = conn;
    this.io = io;
  }

  /** Runs a command line (`virsh -c URI 'cmd1; cmd2'`); true when the last command succeeded. */
  runLine(line: string): Promise<boolean> {
    const lexed = lex(line);
    if (!lexed.ok) return Promise.resolve(this.#syntaxError(lexed.error));
    return this.#runWords(lexed.commands);
  }

  /** Runs one command given as separate words (`virsh -c URI cmd arg…`: no re-splitting). */
  runArgv(words: string[]): Promise<boolean> {
    return this.#runWords(words.length ? [words] : []);
  }

  async #runWords(commands: string[][]): Promise<boolean> {
    const parsed = parseCommands<CommandDef>(commands, findCommand);
    if (!parsed.ok) return this.#syntaxError(parsed.error);
    let ok = true;
    for (const cmd of parsed.commands) ok = await this.#runOne(cmd);
    return ok;
  }

  async #runOne({ def, args }: ParsedCommand<CommandDef>): Promise<boolean> {
    const ctx = new CommandContext(this.conn, this.io);
    let ok: boolean;
    try {
      ok = (await def.run(ctx, args)) !== false;
    } catch (e) {
      if (e instanceof VirError) ctx.lastError = e;
      else if (!(e instanceof CommandFailed)) throw e;
      ok = false;
    }
    if (!ok && ctx.lastError) ctx.error(ctx.lastError.message);
    ctx.print("\n");
    return ok;
  }

  #syntaxError(message: string): boolean {
    this.io.stderr(`error: ${message}\n`);
    return false;
  }
}
