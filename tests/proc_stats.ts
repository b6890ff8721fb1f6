/**
 * A process's resident memory and CPU time from `/proc` (Linux): its peak RSS (`VmHWM`), reset
 * on request (`clear_refs` 5), and the CPU time of all its threads, for the tests and benches
 * that bound or compare daemons.
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

/**
 * CPU time of all threads of a process so far, in µs (`schedstat`).
 *
 * @example
 * ```ts
 * import { cpuUs } from "./proc_stats.ts";
 * console.log(cpuUs("self") > 0); // true
 * ```
 */
export function cpuUs(pid: number | "self"): number {
  let ns = 0;
  for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(Deno.readTextFileSync(`/proc/${pid}/task/${task.name}/schedstat`).split(" ")[0]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return ns / 1000;
}
