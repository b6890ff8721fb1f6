/**
 * The host tools the directory backend runs: `statvfs` (Deno has none; `stat -f` prints the
 * same fields) and `qemu-img`, with failures reported as libvirt reports a failed command.
 *
 * @module
 */
import { VirError } from "../../util/errors.ts";

/** A file system's size as `statvfs` gives it, in bytes. */
export interface FsStats {
  /** `f_frsize * f_blocks`. */
  capacity: number;
  /** `f_frsize * f_bfree` (libvirt counts root's reserve as available). */
  available: number;
}

/**
 * Runs a command, returning its stdout; a non-zero exit is libvirt's `virCommandRun` error.
 *
 * @example
 * ```ts
 * import { runCommand } from "./host_fs.ts";
 * await runCommand("true", []);
 * ```
 */
export async function runCommand(cmd: string, args: string[]): Promise<string> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  } catch {
    throw VirError.report(
      "STORAGE",
      "INTERNAL_ERROR",
      `Cannot find '${cmd}' in path: No such file or directory`,
    );
  }
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim();
    throw VirError.report(
      "STORAGE",
      "INTERNAL_ERROR",
      `Child process (${[cmd, ...args].join(" ")}) unexpected exit status ${out.code}: ${err}`,
    );
  }
  return new TextDecoder().decode(out.stdout);
}

/**
 * `statvfs(path)`, as libvirt's refresh computes pool sizes from it.
 *
 * @example
 * ```ts
 * import { fsStats } from "./host_fs.ts";
 * (await fsStats("/")).capacity > 0; // true
 * ```
 */
export async function fsStats(path: string): Promise<FsStats> {
  let text: string;
  try {
    text = await runCommand("stat", ["-f", "-c", "%S %b %f", path]);
  } catch {
    throw VirError.report("STORAGE", "SYSTEM_ERROR", `cannot statvfs path '${path}'`);
  }
  const [frsize, blocks, bfree] = text.trim().split(/\s+/).map(Number);
  return { capacity: frsize * blocks, available: frsize * bfree };
}
