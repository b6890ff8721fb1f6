/**
 * A thread's scheduling policy and priority (libvirt's `virProcessSetScheduler`), as
 * `<vcpusched>`/`<iothreadsched>` ask: `sched_setscheduler(2)` through libc, since Deno has no
 * such call.
 *
 * @module
 */
import { VirError } from "../../../util/errors.ts";
import { ERRNO_SYMBOLS, errnoText } from "../../../util/libc_errno.ts";

const SYMBOLS = {
  sched_setscheduler: { parameters: ["i32", "i32", "buffer"], result: "i32" },
  sched_get_priority_min: { parameters: ["i32"], result: "i32" },
  sched_get_priority_max: { parameters: ["i32"], result: "i32" },
  ...ERRNO_SYMBOLS,
} as const;

/** Linux's policy numbers for libvirt's `scheduler` names (`none` changes nothing). */
const POLICIES: Record<string, number> = { batch: 3, idle: 5, fifo: 1, rr: 2 };
const REALTIME = new Set(["fifo", "rr"]);

let libc: Deno.DynamicLibrary<typeof SYMBOLS> | undefined;

const systemError = (message: string, text: string) =>
  VirError.bare("NONE", "SYSTEM_ERROR", `${message}: ${text}`);

/**
 * Runs thread `tid` under `scheduler` (`batch`, `idle`, `fifo`, `rr`) at `priority`, which the
 * real-time ones need within the host's range.
 *
 * @example
 * ```ts ignore
 * import { setThreadScheduler } from "./scheduler.ts";
 * setThreadScheduler(4251, "fifo", 1);
 * ```
 */
export function setThreadScheduler(tid: number, scheduler: string, priority = 0): void {
  const policy = POLICIES[scheduler];
  if (policy === undefined) return;
  // Opened on first use: a driver that never schedules needs no FFI permission.
  const c = (libc ??= Deno.dlopen("libc.so.6", SYMBOLS)).symbols;
  const param = new Int32Array(1);
  if (REALTIME.has(scheduler)) {
    const min = c.sched_get_priority_min(policy);
    if (min < 0) {
      throw systemError("Cannot get minimum scheduler priority value", errnoText(c)[1]);
    }
    const max = c.sched_get_priority_max(policy);
    if (max < 0) {
      throw systemError("Cannot get maximum scheduler priority value", errnoText(c)[1]);
    }
    if (priority < min || priority > max) {
      throw VirError.report(
        "NONE",
        "CONFIG_UNSUPPORTED",
        `Scheduler priority ${priority} out of range [${min}, ${max}]`,
      );
    }
    param[0] = priority;
  }
  if (c.sched_setscheduler(tid, policy, param) < 0) {
    throw systemError(`Cannot set scheduler parameters for pid ${tid}`, errnoText(c)[1]);
  }
}
