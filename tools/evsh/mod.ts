/**
 * evsh: a virsh-compatible shell over any URI `connect()` accepts. The core is pure: it
 * writes through an {@link EvshIO} sink, so it runs the same in a terminal (`main.ts`), in
 * tests, or in a browser.
 *
 * @example
 * ```ts
 * import { connect } from "../../host.ts";
 * import { Shell } from "./mod.ts";
 * const conn = await connect("test:///default");
 * let out = "";
 * const shell = new Shell(conn, { stdout: (s) => (out += s), stderr: (s) => (out += s),
 *   readFile: () => Promise.reject(new Error("No such file or directory")) });
 * await shell.runLine("domstate test"); // out === "running\n\n"
 * await conn.close();
 * ```
 * @module
 */
export { Shell } from "./shell.ts";
export { CommandContext, CommandFailed } from "./context.ts";
export type { CommandDef, EvshIO, EvshTerminal } from "./context.ts";
export { COMMAND_MODULES, findCommand } from "./commands/mod.ts";
export type { CommandModule } from "./commands/mod.ts";
export { parseArgv } from "./argv.ts";
export type { EvshInvocation } from "./argv.ts";
