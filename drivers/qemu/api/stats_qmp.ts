/**
 * The statistics QEMU keeps itself, asked over QMP as libvirt's monitor code does:
 * `query-blockstats` and `query-block` per disk frontend (`qemuMonitorGetAllBlockStatsInfo`),
 * `query-balloon` and the balloon's `guest-stats` (`qemuMonitorJSONGetMemoryStats`).
 *
 * @module
 */
import type { QemuMonitor } from "../monitor/qemu_monitor.ts";

/** One disk frontend's counters (libvirt's `qemuBlockStats`). */
export interface BlockCounters {
  rd_req: number;
  rd_bytes: number;
  rd_total_times: number;
  wr_req: number;
  wr_bytes: number;
  wr_total_times: number;
  flush_req: number;
  flush_total_times: number;
  wr_highest_offset: number;
  /** The image's virtual size, when QEMU has a medium in the drive. */
  capacity?: number;
  /** The image's bytes on disk (`actual-size`, else the capacity), with the capacity. */
  physical?: number;
}

interface QmpBlockStats {
  device?: string;
  qdev?: string;
  stats: Record<string, number>;
}

interface QmpBlockInfo {
  qdev?: string;
  inserted?: { image?: { "virtual-size"?: number; "actual-size"?: number } };
}

/**
 * The device id a `qdev` names: the id itself, or the `/machine/peripheral/ID/…` path of a
 * device whose block backend sits on a child (virtio-blk's `virtio-backend`).
 *
 * @example
 * ```ts
 * import { qdevId } from "./stats_qmp.ts";
 * qdevId("/machine/peripheral/virtio-disk0/virtio-backend"); // "virtio-disk0"
 * ```
 */
export function qdevId(qdev: string | undefined): string | undefined {
  const m = qdev?.match(/^\/machine\/peripheral\/([^/]+)/);
  return m ? m[1] : qdev || undefined;
}

/**
 * Every disk frontend's counters, by the device id QEMU knows it as (the disk's alias).
 *
 * @example
 * ```ts ignore
 * import { queryBlockCounters } from "./stats_qmp.ts";
 * declare const monitor: import("../monitor/qemu_monitor.ts").QemuMonitor;
 * (await queryBlockCounters(monitor)).get("virtio-disk0")?.rd_bytes;
 * ```
 */
export async function queryBlockCounters(
  monitor: QemuMonitor,
): Promise<Map<string, BlockCounters>> {
  const stats = await monitor.run<QmpBlockStats[]>("query-blockstats");
  const blocks = await monitor.run<QmpBlockInfo[]>("query-block");
  const sizes = new Map<string, { capacity: number; physical?: number }>();
  for (const b of blocks) {
    const id = qdevId(b.qdev);
    const image = b.inserted?.image;
    const size = image?.["virtual-size"];
    if (id && size !== undefined) {
      // No actual-size (an NBD or http image): not thin-provisioned, all of it is physical.
      sizes.set(id, { capacity: size, physical: image?.["actual-size"] ?? size });
    }
  }
  const out = new Map<string, BlockCounters>();
  for (const e of stats) {
    const id = qdevId(e.qdev);
    if (!id) continue;
    const s = e.stats;
    out.set(id, {
      rd_req: s.rd_operations ?? 0,
      rd_bytes: s.rd_bytes ?? 0,
      rd_total_times: s.rd_total_time_ns ?? 0,
      wr_req: s.wr_operations ?? 0,
      wr_bytes: s.wr_bytes ?? 0,
      wr_total_times: s.wr_total_time_ns ?? 0,
      flush_req: s.flush_operations ?? 0,
      flush_total_times: s.flush_total_time_ns ?? 0,
      wr_highest_offset: s.wr_highest_offset ?? 0,
      capacity: sizes.get(id)?.capacity,
      physical: sizes.get(id)?.physical,
    });
  }
  return out;
}

/** `guest-stats` fields: virDomainMemoryStats tag, divisor to KiB (or 1 for counts). */
const GUEST_STATS: [string, string, number][] = [
  ["stat-swap-in", "swap_in", 1024],
  ["stat-swap-out", "swap_out", 1024],
  ["stat-major-faults", "major_fault", 1],
  ["stat-minor-faults", "minor_fault", 1],
  ["stat-free-memory", "unused", 1024],
  ["stat-total-memory", "available", 1024],
  ["stat-available-memory", "usable", 1024],
  ["last-update", "last_update", 1],
  ["stat-disk-caches", "disk_caches", 1024],
  ["stat-htlb-pgalloc", "hugetlb_pgalloc", 1],
  ["stat-htlb-pgfail", "hugetlb_pgfail", 1],
];

/**
 * `qemuMonitorJSONGetMemoryStats`: the balloon's size (`actual`, KiB) and, from its
 * `guest-stats` at `balloonPath`, what the guest reported, in libvirt's order; a statistic the
 * guest never collected (-1) is left out, and so is whatever QEMU cannot answer.
 *
 * @example
 * ```ts ignore
 * import { queryBalloonStats } from "./stats_qmp.ts";
 * declare const monitor: import("../monitor/qemu_monitor.ts").QemuMonitor;
 * await queryBalloonStats(monitor, "/machine/peripheral/balloon0"); // { actual: 65536, last_update: 0 }
 * ```
 */
export async function queryBalloonStats(
  monitor: QemuMonitor,
  balloonPath: string,
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const balloon = await monitor.run<{ actual: number }>("query-balloon").catch(() => undefined);
  if (balloon) out.actual = Math.floor(balloon.actual / 1024);
  const data = await monitor.run<{ stats?: Record<string, number>; "last-update"?: number }>(
    "qom-get",
    { path: balloonPath, property: "guest-stats" },
  ).catch(() => undefined);
  if (!data?.stats) return out;
  for (const [field, tag, divisor] of GUEST_STATS) {
    const value = field === "last-update" ? data["last-update"] : data.stats[field];
    // QEMU sends the uint64 -1 of a statistic never collected as 18446744073709551615.
    if (typeof value === "number" && value >= 0 && value < 2 ** 64 - 1) {
      out[tag] = Math.floor(value / divisor);
    }
  }
  return out;
}
