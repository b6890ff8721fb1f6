/**
 * The host's CPU and memory counters as libvirt's `virhostcpu.c`, `virhostmem.c` and
 * `virnuma.c` read them on Linux: `/proc/stat` for CPU times, `/proc/meminfo` and each NUMA
 * node's `meminfo` for memory, sysfs for the CPUs present and online.
 *
 * @module
 */
import { VirError } from "./errors.ts";
import { cpuList, readHostFile } from "./host_info.ts";

/** libvirt's `TICK_TO_NSEC` with Linux's USER_HZ of 100. */
const TICK_NS = 10_000_000;
const NODE_DIR = "/sys/devices/system/node";

/**
 * The host's NUMA node ids (libvirt's numa_max_node), none where the kernel has no NUMA
 * support, in which case libvirt reports the host as one node.
 */
function numaNodes(): number[] {
  const ids: number[] = [];
  try {
    for (const e of Deno.readDirSync(NODE_DIR)) {
      const m = e.name.match(/^node(\d+)$/);
      if (m) ids.push(Number(m[1]));
    }
  } catch {
    // No NUMA support: the callers fall back to the whole host.
  }
  return ids.sort((a, b) => a - b);
}

/**
 * `virHostCPUGetStatsLinux`: kernel, user, idle and iowait time in ns of one CPU, or of all
 * of them for `cpuNum` -1.
 *
 * @example
 * ```ts
 * import { hostCPUStats } from "./host_stats.ts";
 * hostCPUStats(-1); // { kernel: 1.2e12, user: 3.4e12, idle: 9.9e13, iowait: 1e10 }
 * ```
 */
export function hostCPUStats(cpuNum: number): Record<string, number> {
  const header = cpuNum === -1 ? "cpu " : `cpu${cpuNum} `;
  for (const line of (readHostFile("/proc/stat") ?? "").split("\n")) {
    if (!line.startsWith(header)) continue;
    const v = line.split(/\s+/).slice(1).map(Number);
    if (v.length < 4) continue;
    const [usr, ni, sys, idle, iowait = 0, irq = 0, softirq = 0] = v;
    return {
      kernel: (sys + irq + softirq) * TICK_NS,
      user: (usr + ni) * TICK_NS,
      idle: idle * TICK_NS,
      iowait: iowait * TICK_NS,
    };
  }
  throw VirError.bare("NONE", "INVALID_ARG", "Invalid cpuNum in virHostCPUGetStatsLinux");
}

/** `MemTotal`-style fields (KiB) of a meminfo file, a node's "Node N " prefix removed. */
function meminfo(path: string): Map<string, number> {
  const text = readHostFile(path);
  if (text === undefined) {
    throw VirError.report("NONE", "SYSTEM_ERROR", `cannot open ${path}: No such file or directory`);
  }
  const fields = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = line.replace(/^Node \d+ /, "").match(/^(\S+):\s+(\d+) kB/);
    if (m && !fields.has(m[1])) fields.set(m[1], Number(m[2]));
  }
  return fields;
}

/**
 * `virHostMemGetStats`: total, free, buffers and cached KiB of the host (`cellNum` -1), or
 * total and free of one NUMA node.
 *
 * @example
 * ```ts
 * import { hostMemoryStats } from "./host_stats.ts";
 * hostMemoryStats(-1); // { total: 16318504, free: 812000, buffers: 1024, cached: 4096000 }
 * ```
 */
export function hostMemoryStats(cellNum: number): Record<string, number> {
  const nodes = numaNodes();
  const all = cellNum === -1 || (nodes.length === 0 && cellNum === 0);
  if (!all) {
    if (!nodes.length) {
      throw VirError.report("NONE", "INTERNAL_ERROR", "NUMA isn't available on this host");
    }
    const max = nodes[nodes.length - 1];
    if (cellNum > max) {
      throw VirError.bare(
        "NONE",
        "INVALID_ARG",
        `cellNum in virHostMemGetStats must be less than or equal to ${max}`,
      );
    }
  }
  const fields = meminfo(all ? "/proc/meminfo" : `${NODE_DIR}/node${cellNum}/meminfo`);
  const names: [string, string][] = [["MemTotal", "total"], ["MemFree", "free"]];
  if (all) names.push(["Buffers", "buffers"], ["Cached", "cached"]);
  const stats: Record<string, number> = {};
  for (const [field, name] of names) {
    const value = fields.get(field);
    if (value !== undefined) stats[name] = value;
  }
  if (!Object.keys(stats).length) {
    throw VirError.report("NONE", "INTERNAL_ERROR", "no available memory line found");
  }
  return stats;
}

/** Free bytes of NUMA node `node` (libnuma's `numa_node_size64`), 0 when unreadable. */
function nodeFreeBytes(node: number): number {
  try {
    return (meminfo(`${NODE_DIR}/node${node}/meminfo`).get("MemFree") ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** Free bytes of the whole host, from /proc/meminfo. */
function hostFreeBytes(): number {
  return (meminfo("/proc/meminfo").get("MemFree") ?? 0) * 1024;
}

/**
 * `virHostMemGetCellsFree`: free bytes of NUMA nodes `startCell` … `startCell + maxCells - 1`
 * (cut at the last node); a host without NUMA is one node.
 *
 * @example
 * ```ts
 * import { hostCellsFreeMemory } from "./host_stats.ts";
 * hostCellsFreeMemory(0, 8); // [4102553600]
 * ```
 */
export function hostCellsFreeMemory(startCell: number, maxCells: number): number[] {
  const nodes = numaNodes();
  const max = nodes.length ? nodes[nodes.length - 1] : 0;
  if (startCell > max) {
    throw VirError.report(
      "NONE",
      "INTERNAL_ERROR",
      `start cell ${startCell} out of range (0-${max})`,
    );
  }
  if (!nodes.length) return [hostFreeBytes()];
  const last = Math.min(max, startCell + maxCells - 1);
  const free: number[] = [];
  for (let n = startCell; n <= last; n++) free.push(nodeFreeBytes(n));
  return free;
}

/**
 * `virHostMemGetFreeMemory`: free bytes over every NUMA node (the host's free memory without
 * NUMA).
 *
 * @example
 * ```ts
 * import { hostFreeMemory } from "./host_stats.ts";
 * hostFreeMemory(); // 4102553600
 * ```
 */
export function hostFreeMemory(): number {
  const nodes = numaNodes();
  if (!nodes.length) return hostFreeBytes();
  return nodes.reduce((sum, n) => sum + nodeFreeBytes(n), 0);
}

/**
 * `virHostCPUGetMap`: which of the present CPUs (0 … highest present id) are online, and how
 * many are.
 *
 * @example
 * ```ts
 * import { hostCPUMap } from "./host_stats.ts";
 * hostCPUMap(); // { map: [true, true], online: 2 }
 * ```
 */
export function hostCPUMap(): { map: boolean[]; online: number } {
  const present = cpuList(readHostFile("/sys/devices/system/cpu/present"));
  const online = new Set(cpuList(readHostFile("/sys/devices/system/cpu/online")));
  const size = present.length ? Math.max(...present) + 1 : 0;
  const map = Array.from({ length: size }, (_, i) => online.has(i));
  return { map, online: online.size };
}

/** Free pages of `size` KiB on NUMA node `node` (-1: the whole host), as `virNumaGetPageInfo`. */
function freePagesOf(node: number, size: number): number {
  if (size === 4) {
    const free = node === -1 ? hostFreeBytes() : nodeFreeBytes(node);
    return Math.floor(free / 4096);
  }
  const dir = node === -1
    ? `/sys/kernel/mm/hugepages/hugepages-${size}kB`
    : `${NODE_DIR}/node${node}/hugepages/hugepages-${size}kB`;
  const text = readHostFile(`${dir}/free_hugepages`);
  if (text === undefined) {
    const message = node === -1
      ? `page size ${size} is not available`
      : readHostFile(`${NODE_DIR}/node${node}/meminfo`) === undefined
      ? `NUMA node ${node} is not available`
      : `page size ${size} is not available on node ${node}`;
    throw VirError.report("NONE", "OPERATION_FAILED", message);
  }
  return Number(text);
}

/**
 * `virHostMemGetFreePages`: for each NUMA cell from `startCell` (at most `cellCount`, cut at the
 * last), the free pages of each size in `pages` (KiB); a host without NUMA answers for its one
 * cell from the whole host's counters.
 *
 * @example
 * ```ts
 * import { hostFreePages } from "./host_stats.ts";
 * hostFreePages([4, 2048], 0, 1); // [5793216, 0]
 * ```
 */
export function hostFreePages(pages: number[], startCell: number, cellCount: number): number[] {
  const nodes = numaNodes();
  let last = nodes.length ? nodes[nodes.length - 1] : 0;
  let start = startCell;
  // Without NUMA, libvirt's one fake cell is the whole host.
  if (!nodes.length && start === 0 && cellCount === 1) start = -1;
  if (start > last) {
    throw VirError.report("NONE", "INTERNAL_ERROR", `start cell ${start} out of range (0-${last})`);
  }
  last = Math.min(last, start + cellCount - 1);
  const counts: number[] = [];
  for (let cell = start; cell <= last; cell++) {
    for (const size of pages) counts.push(freePagesOf(cell, size));
  }
  if (!counts.length) {
    throw VirError.report("NONE", "INTERNAL_ERROR", "no suitable info found");
  }
  return counts;
}
