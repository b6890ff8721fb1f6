/**
 * A host program run to completion with its output captured, as the drivers that change the
 * host (network, nwfilter) run `ip`, `iptables`, `ebtables`, `dnsmasq`.
 *
 * @module
 */

/** What a command gave back. */
export interface CommandResult {
  /** The exit status; 127 when the program could not be started. */
  code: number;
  /** Its standard output. */
  stdout: string;
  /** Its standard error. */
  stderr: string;
}

/**
 * Runs `argv` (program first) with `env` added to the environment, and waits for it; a program
 * that cannot be found answers 127 as a shell would.
 *
 * @example
 * ```ts
 * import { runCommand } from "./run_command.ts";
 * const r = await runCommand(["true"]);
 * console.log(r.code); // 0
 * ```
 */
export async function runCommand(
  argv: readonly string[],
  env?: Record<string, string>,
): Promise<CommandResult> {
  const [program, ...args] = argv;
  try {
    const out = await new Deno.Command(program, {
      args,
      env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder();
    return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    return { code: 127, stdout: "", stderr: `Cannot find program '${program}'` };
  }
}
