/**
 * Host CPU affinity of single threads (libvirt's `virProcessSetAffinity` /
 * `virProcessGetAffinity`): `sched_setaffinity(2)` through libc, and `/proc` to read it back.
 *
 * @module
 */
import { parseBitmap } from "../../../conf/domain/bitmap.ts";
import { VirError } from "../../../util/errors.ts";

/** glibc's `cpu_set_t`: 1024 CPUs. */
const SET_BYTES = 128;

let libc:
  | Deno.DynamicLibrary<{
    sched_setaffinity: { parameters: ["i32", "usize", "buffer"]; result: "i32" };
  }>
  | undefined;

function symbols() {
  // Opened on first use: a driver that never pins needs no FFI permission.
  libc ??= Deno.dlopen("libc.so.6", {
    sched_setaffinity: { parameters: ["i32", "usize", "buffer"], result: "i32" },
  });
  return libc.symbols;
}

/**
 * Restricts thread `tid` to the host CPUs in `cpus`.
 *
 * @example
 * ```ts
 * import { setThreadAffinity } from "./affinity.ts";
 * setThreadAffinity(Deno.pid, [0, 1]);
 * ```
 */
export function setThreadAffinity(tid: number, cpus: readonly number[]): void {
  const mask = new Uint8Array(SET_BYTES);
  for (const cpu of cpus) if (cpu < SET_BYTES * 8) mask[cpu >> 3] |= 1 << (cpu & 7);
  let failure: string | undefined;
  try {
    if (symbols().sched_setaffinity(tid, BigInt(SET_BYTES), mask) !== 0) {
      failure = "Invalid argument";
    }
  } catch (err) {
    failure = err instanceof Error ? err.message : String(err);
  }
  if (failure !== undefined) {
    throw VirError.report(
      "NONE",
      "SYSTEM_ERROR",
      `cannot set CPU affinity on process ${tid}: ${failure}`,
    );
  }
}

/**
 * The host CPUs thread `tid` of process `pid` may run on (`Cpus_allowed_list`), or undefined
 * when the thread is gone.
 *
 * @example
 * ```ts
 * import { threadAffinity } from "./affinity.ts";
 * threadAffinity(Deno.pid, Deno.pid); // e.g. [0, 1]
 * ```
 */
export function threadAffinity(pid: number, tid: number): number[] | undefined {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/task/${tid}/status`);
    const list = status.match(/^Cpus_allowed_list:\s*(\S+)/m)?.[1];
    return list === undefined ? undefined : parseBitmap(list);
  } catch {
    return undefined;
  }
}
