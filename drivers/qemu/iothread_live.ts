/**
 * The running IOThreads of a domain: their host threads as QEMU lists them
 * (`qemuMonitorJSONGetIOThreads`, `qemuProcessDetectIOThreadPIDs`) and their placement on the
 * host's CPUs (`qemuProcessSetupIOThreads`): each thread in its cgroup, confined to its
 * `<iothreadpin>`, else to the `<vcpu cpuset>`, and run under its `<iothreadsched>`.
 *
 * @module
 */
import { parseBitmap } from "../../conf/domain/bitmap.ts";
import type { DomainDef } from "../../conf/domain/def.ts";
import { iothreadIdsOf } from "../../conf/domain/iothreads.ts";
import { iothreadPinsOf } from "../../conf/domain/pins.ts";
import { threadSchedOf } from "../../conf/domain/cputune_sched.ts";
import { VirError } from "../../util/errors.ts";
import type { QemuDomainObj } from "./domain_private.ts";
import type { QemuMonitor } from "./monitor/mod.ts";

/** One IOThread of `query-iothreads`, with its polling parameters. */
export interface RunningIOThread {
  id: number;
  tid: number;
  pollMaxNs?: number;
  pollGrow?: number;
  pollShrink?: number;
}

interface QmpIOThread {
  id: string;
  "thread-id": number;
  "poll-max-ns"?: number;
  "poll-grow"?: number;
  "poll-shrink"?: number;
}

const internal = (message: string) => VirError.report("QEMU", "INTERNAL_ERROR", message);

/**
 * `qemuMonitorJSONGetIOThreads`: QEMU's IOThreads named `iothreadN` (others are not libvirt's),
 * in QEMU's order.
 *
 * @example
 * ```ts
 * import { queryIOThreads } from "./iothread_live.ts";
 * import type { QemuMonitor } from "./monitor/mod.ts";
 * declare const monitor: QemuMonitor;
 * await queryIOThreads(monitor); // [{ id: 1, tid: 4251, pollMaxNs: 32768, … }]
 * ```
 */
export async function queryIOThreads(monitor: QemuMonitor): Promise<RunningIOThread[]> {
  const threads = await monitor.run<QmpIOThread[]>("query-iothreads");
  return threads.filter((t) => t.id.startsWith("iothread")).map((t) => {
    const digits = t.id.slice("iothread".length);
    if (!/^\d+$/.test(digits)) throw internal(`failed to find iothread id for '${t.id}'`);
    return {
      id: Number(digits),
      tid: t["thread-id"],
      pollMaxNs: t["poll-max-ns"],
      pollGrow: t["poll-grow"],
      pollShrink: t["poll-shrink"],
    };
  });
}

/**
 * `qemuProcessDetectIOThreadPIDs`: the thread of each of the live definition's IOThreads, which
 * QEMU must run, all and only them.
 *
 * @example
 * ```ts
 * import { detectIOThreadPids } from "./iothread_live.ts";
 * import type { QemuDomainObj } from "./domain_private.ts";
 * declare const obj: QemuDomainObj;
 * await detectIOThreadPids(obj); // obj.iothreadTids: Map { 1 => 4251 }
 * ```
 */
export async function detectIOThreadPids(obj: QemuDomainObj): Promise<void> {
  const threads = await queryIOThreads(obj.proc!.monitor);
  const ids = iothreadIdsOf(obj.def);
  if (threads.length !== ids.length) {
    throw internal(
      `got wrong number of IOThread pids from QEMU monitor. got ${threads.length}, ` +
        `wanted ${ids.length}`,
    );
  }
  const tids = new Map<number, number>();
  for (const t of threads) {
    if (!ids.includes(t.id)) throw internal(`iothread ${t.id} not found`);
    tids.set(t.id, t.tid);
  }
  obj.iothreadTids = tids;
}

/**
 * The host CPUs an IOThread runs on: its pin, else the `<vcpu cpuset>`, else undefined (any).
 *
 * @example
 * ```ts
 * import { iothreadCpus } from "./iothread_live.ts";
 * import type { DomainDef } from "../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * iothreadCpus(def, 1); // [0] with <iothreadpin iothread='1' cpuset='0'/>
 * ```
 */
export function iothreadCpus(def: DomainDef, id: number): number[] | undefined {
  return iothreadPinsOf(def).get(id) ??
    (def.vcpu.cpuset ? parseBitmap(def.vcpu.cpuset) : undefined);
}

/**
 * `qemuProcessSetupIOThread`: IOThread `id`'s thread into its cgroup, on its CPUs, under its
 * `<iothreadsched>` scheduler.
 *
 * @example
 * ```ts
 * import { setupIOThread } from "./iothread_live.ts";
 * import type { QemuDomainObj } from "./domain_private.ts";
 * declare const obj: QemuDomainObj;
 * await setupIOThread(obj, 1);
 * ```
 */
export async function setupIOThread(obj: QemuDomainObj, id: number): Promise<void> {
  const tid = obj.iothreadTids?.get(id);
  if (tid === undefined) return;
  await obj.vcpus!.ctx.cgroup.setupIOThread(id, tid, iothreadCpus(obj.def, id));
  const sched = threadSchedOf(obj.def, "iothreadsched", id);
  if (sched) await obj.vcpus!.ctx.cgroup.setScheduler(tid, sched);
}

/**
 * The IOThreads of a QEMU just started: their threads found, then each placed.
 *
 * @example
 * ```ts
 * import { startIOThreads } from "./iothread_live.ts";
 * import type { QemuDomainObj } from "./domain_private.ts";
 * declare const obj: QemuDomainObj;
 * await startIOThreads(obj);
 * ```
 */
export async function startIOThreads(obj: QemuDomainObj): Promise<void> {
  await detectIOThreadPids(obj);
  for (const id of iothreadIdsOf(obj.def)) await setupIOThread(obj, id);
}
