/**
 * What `/proc` tells about a QEMU process and its threads, read as libvirt does:
 * `virProcessGetStatInfo` (CPU times, last host CPU, RSS), `virProcessGetSchedInfo` (run-queue
 * wait), `qemuGetSchedstatDelay` and `virNetDevTapInterfaceStats` (`/proc/net/dev`).
 *
 * @module
 */
import { VirError } from "../../../util/errors.ts";
import { SYSTEM_PAGE_KIB } from "../../../util/host_info.ts";

/** libvirt's `TICK_TO_NSEC` with Linux's USER_HZ of 100. */
const TICK_NS = 10_000_000;

const readText = (path: string): string | undefined => {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
};

/** CPU times (ns), the host CPU last run on, and the resident set (KiB) of a process or thread. */
export interface ProcStat {
  cpuTime: number;
  userTime: number;
  sysTime: number;
  lastCpu: number;
  rssKiB: number;
}

/**
 * `virProcessGetStatInfo` of process `pid` (or its thread `tid`), undefined when it is gone.
 *
 * @example
 * ```ts
 * import { procStat } from "./stats_proc.ts";
 * procStat(Deno.pid)?.cpuTime; // ns of CPU this process used
 * ```
 */
export function procStat(pid: number, tid?: number): ProcStat | undefined {
  const text = readText(tid ? `/proc/${pid}/task/${tid}/stat` : `/proc/${pid}/stat`);
  if (!text) return undefined;
  // The fields after the command, whose name may hold spaces and parentheses.
  const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const user = Number(f[11]) * TICK_NS;
  const sys = Number(f[12]) * TICK_NS;
  return {
    cpuTime: user + sys,
    userTime: user,
    sysTime: sys,
    lastCpu: Number(f[36]),
    rssKiB: Number(f[21]) * SYSTEM_PAGE_KIB,
  };
}

/**
 * `virProcessGetSchedInfo`: ns thread `tid` of `pid` waited on a run queue, 0 where the kernel
 * has no scheduler debug file.
 *
 * @example
 * ```ts
 * import { schedWait } from "./stats_proc.ts";
 * schedWait(Deno.pid, Deno.pid); // 0 without CONFIG_SCHED_DEBUG
 * ```
 */
export function schedWait(pid: number, tid: number): number {
  const text = readText(`/proc/${pid}/task/${tid}/sched`) ?? "";
  const m = text.match(/^se\.(?:statistics\.)?wait_sum\s*:\s*([\d.]+)/m);
  return m ? Math.floor(Number(m[1]) * 1_000_000) : 0;
}

/**
 * `qemuGetSchedstatDelay`: ns thread `tid` of `pid` was runnable but not running, 0 where the
 * kernel has no schedstat.
 *
 * @example
 * ```ts
 * import { schedDelay } from "./stats_proc.ts";
 * schedDelay(Deno.pid, Deno.pid);
 * ```
 */
export function schedDelay(pid: number, tid: number): number {
  const text = readText(`/proc/${pid}/task/${tid}/schedstat`);
  return text ? Number(text.split(" ")[1]) || 0 : 0;
}

/** `virDomainInterfaceStats` counters. */
export interface InterfaceCounters {
  rx_bytes: number;
  rx_packets: number;
  rx_errs: number;
  rx_drop: number;
  tx_bytes: number;
  tx_packets: number;
  tx_errs: number;
  tx_drop: number;
}

/**
 * `virNetDevTapInterfaceStats`: a host interface's counters from `/proc/net/dev`; `swapped`
 * (a tap) turns them round to the guest's point of view (what the host sends, the guest
 * receives).
 *
 * @example
 * ```ts
 * import { tapInterfaceStats } from "./stats_proc.ts";
 * tapInterfaceStats("lo", false).rx_bytes;
 * ```
 */
export function tapInterfaceStats(ifname: string | undefined, swapped: boolean): InterfaceCounters {
  if (!ifname) {
    throw VirError.report("NONE", "INTERNAL_ERROR", "Interface name not provided");
  }
  const text = readText("/proc/net/dev");
  if (text === undefined) {
    throw VirError.report(
      "NONE",
      "SYSTEM_ERROR",
      "Could not open /proc/net/dev: No such file or directory",
    );
  }
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon < 0 || line.slice(0, colon).trim() !== ifname) continue;
    const v = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (v.length !== 16) continue;
    const [rx, tx] = swapped ? [v.slice(8, 12), v.slice(0, 4)] : [v.slice(0, 4), v.slice(8, 12)];
    return {
      rx_bytes: rx[0],
      rx_packets: rx[1],
      rx_errs: rx[2],
      rx_drop: rx[3],
      tx_bytes: tx[0],
      tx_packets: tx[1],
      tx_errs: tx[2],
      tx_drop: tx[3],
    };
  }
  throw VirError.report("NONE", "INTERNAL_ERROR", "/proc/net/dev: Interface not found");
}
