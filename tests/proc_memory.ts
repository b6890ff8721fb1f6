/**
 * A process's resident memory from `/proc` (Linux): its peak (`VmHWM`), reset on request
 * (`clear_refs` 5), for the tests and benches that bound or compare daemons' memory.
 *
 * @module
 */

async function statusKiB(pid: number, field: "VmRSS" | "VmHWM"): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
  if (!m) throw new Error(`no ${field} for process ${pid}`);
  return Number(m[1]);
}

/**
 * Resets process `pid`'s peak RSS to its current RSS and returns that, in bytes.
 *
 * @example
 * ```ts ignore
 * import { peakRss, resetPeakRss } from "./proc_memory.ts";
 * const before = await resetPeakRss(pid);
 * // … work …
 * console.log((await peakRss(pid)) - before);
 * ```
 */
export async function resetPeakRss(pid: number): Promise<number> {
  await Deno.writeTextFile(`/proc/${pid}/clear_refs`, "5");
  return (await statusKiB(pid, "VmRSS")) * 1024;
}

/** Process `pid`'s peak RSS (`VmHWM`) in bytes, since it started or the last reset. */
export async function peakRss(pid: number): Promise<number> {
  return (await statusKiB(pid, "VmHWM")) * 1024;
}
