/**
 * The host's CPU and memory summary libvirt reports as `virNodeGetInfo` on Linux
 * (`virHostCPUGetInfoPopulateLinux`): /proc/cpuinfo for the frequency, sysfs for the online
 * CPUs and their topology per NUMA node, /proc/meminfo for the memory.
 *
 * @module
 */
import type { NodeInfo } from "./contract/types.ts";

/** The system page, KiB (x86_64's, which the drivers assume: Deno has no sysconf). */
export const SYSTEM_PAGE_KIB = 4;

/**
 * A file's trimmed text, undefined when it cannot be read.
 *
 * @example
 * ```ts
 * import { readHostFile } from "./host_info.ts";
 * readHostFile("/sys/devices/system/cpu/online"); // "0-3"
 * ```
 */
export const readHostFile = (path: string): string | undefined => {
  try {
    return Deno.readTextFileSync(path).trim();
  } catch {
    return undefined;
  }
};

/**
 * A sysfs CPU list (`0-3,8`) as numbers.
 *
 * @example
 * ```ts
 * import { cpuList } from "./host_info.ts";
 * cpuList("0-2,8"); // [0, 1, 2, 8]
 * ```
 */
export function cpuList(text: string | undefined): number[] {
  if (!text) return [];
  return text.split(",").flatMap((part) => {
    const [a, b = a] = part.split("-").map(Number);
    return Array.from({ length: b - a + 1 }, (_, i) => a + i);
  });
}

/** Sockets, cores per socket and threads per core among `cpus` (online CPUs of one node). */
function topology(cpus: number[]): { sockets: number; cores: number; threads: number } {
  const cores = new Map<string, number>();
  const socketCores = new Map<string, Set<string>>();
  for (const cpu of cpus) {
    const dir = `/sys/devices/system/cpu/cpu${cpu}/topology`;
    const socket = readHostFile(`${dir}/physical_package_id`) ?? "0";
    const core = `${socket}:${readHostFile(`${dir}/core_id`) ?? cpu}`;
    cores.set(core, (cores.get(core) ?? 0) + 1);
    socketCores.set(socket, (socketCores.get(socket) ?? new Set()).add(core));
  }
  return {
    sockets: socketCores.size,
    cores: Math.max(0, ...[...socketCores.values()].map((s) => s.size)),
    threads: Math.max(0, ...cores.values()),
  };
}

/**
 * The host's {@link NodeInfo}. Where nodes × sockets × cores × threads does not give the CPU
 * count (hosts that hide their real topology), libvirt reports one node with one socket of
 * single-thread cores, and so does this.
 *
 * @example
 * ```ts
 * import { hostNodeInfo } from "./host_info.ts";
 * const info = hostNodeInfo(); // { model: "x86_64", memory: 16318504, cpus: 8, … }
 * ```
 */
export function hostNodeInfo(): NodeInfo {
  const online = cpuList(readHostFile("/sys/devices/system/cpu/online"));
  const present = cpuList(readHostFile("/sys/devices/system/cpu/present"));
  const offline = Math.max(0, present.length - online.length);
  const onlineSet = new Set(online);
  const nodeDirs: string[] = [];
  try {
    for (const e of Deno.readDirSync("/sys/devices/system/node")) {
      if (/^node\d+$/.test(e.name)) nodeDirs.push(e.name);
    }
  } catch {
    // No NUMA information: one node holds every CPU.
  }
  const nodes = nodeDirs.length
    ? nodeDirs.map((n) =>
      cpuList(readHostFile(`/sys/devices/system/node/${n}/cpulist`)).filter((c) => onlineSet.has(c))
    )
    : [online];
  let sockets = 0, cores = 0, threads = 0;
  for (const cpus of nodes) {
    const t = topology(cpus);
    sockets = Math.max(sockets, t.sockets);
    cores = Math.max(cores, t.cores);
    threads = Math.max(threads, t.threads);
  }
  const cpus = online.length;
  const mhz = Number(readHostFile("/proc/cpuinfo")?.match(/^cpu MHz\s*:\s*(\d+)/m)?.[1] ?? 0);
  const memory = Number(readHostFile("/proc/meminfo")?.match(/^MemTotal:\s*(\d+)/m)?.[1] ?? 0);
  const info = {
    model: Deno.build.arch,
    memory,
    cpus,
    mhz,
    nodes: nodes.length,
    sockets,
    cores,
    threads,
  };
  if (info.nodes * sockets * cores * threads !== cpus + offline) {
    return { ...info, nodes: 1, sockets: 1, cores: cpus + offline, threads: 1 };
  }
  return info;
}

/**
 * The machine's host name, as `virGetHostname` reports it ("localhost" where none is set).
 *
 * @example
 * ```ts
 * import { hostName } from "./host_info.ts";
 * hostName(); // "build-42"
 * ```
 */
export function hostName(): string {
  try {
    return Deno.hostname();
  } catch {
    return "localhost";
  }
}
