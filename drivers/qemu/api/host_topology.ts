/**
 * The host side of libvirt's capabilities (`capabilities.c`'s `virCapabilitiesInitNUMA`,
 * `…InitCaches`, `…InitPages`, `…HostInitIOMMU`, and what `/proc/cpuinfo` says of the CPU), read
 * from sysfs and procfs on Linux.
 *
 * @module
 */
import type { Capabilities } from "../../../conf/capabilities/mod.ts";
import { cpuList, hostNodeInfo, readHostFile, SYSTEM_PAGE_KIB } from "../../../util/host_info.ts";

const SYS_CPU = "/sys/devices/system/cpu";
const SYS_NODE = "/sys/devices/system/node";

const readInt = (path: string): number | undefined => {
  const text = readHostFile(path);
  return text === undefined || text === "" ? undefined : Number(text);
};

function listDir(path: string): string[] {
  try {
    return [...Deno.readDirSync(path)].map((e) => e.name);
  } catch {
    return [];
  }
}

/**
 * The page sizes the host offers, KiB, smallest first: the system page, then each huge page
 * size of `/sys/kernel/mm/hugepages`.
 *
 * @example
 * ```ts
 * import { hostPageSizes } from "./host_topology.ts";
 * hostPageSizes(); // [4, 2048, 1048576]
 * ```
 */
export function hostPageSizes(): number[] {
  const huge = listDir("/sys/kernel/mm/hugepages")
    .map((n) => Number(n.match(/^hugepages-(\d+)kB$/)?.[1]))
    .filter((n) => n > 0)
    .sort((a, b) => a - b);
  return [SYSTEM_PAGE_KIB, ...huge];
}

/** One NUMA node's cell: memory, pages of each size, distances, and its online CPUs. */
function cell(
  id: number,
  pageSizes: number[],
  online: Set<number>,
): Capabilities["host"]["cells"][number] {
  const dir = `${SYS_NODE}/node${id}`;
  const memory = Number(
    readHostFile(`${dir}/meminfo`)?.match(/MemTotal:\s+(\d+) kB/)?.[1] ?? 0,
  );
  const pages = pageSizes.map((size, i) => ({
    size,
    count: i === 0
      ? Math.floor(memory / size)
      : readInt(`${dir}/hugepages/hugepages-${size}kB/nr_hugepages`) ?? 0,
  }));
  const nodes = listDir(SYS_NODE).map((n) => Number(n.match(/^node(\d+)$/)?.[1]))
    .filter((n) => !Number.isNaN(n)).sort((a, b) => a - b);
  const values = (readHostFile(`${dir}/distance`) ?? "").split(/\s+/).filter(Boolean).map(Number);
  const distances = values.length === nodes.length
    ? nodes.map((node, i) => ({ id: node, value: values[i] }))
    : undefined;
  const cpus = cpuList(readHostFile(`${dir}/cpulist`)).filter((c) => online.has(c)).map((c) => {
    const topo = `${SYS_CPU}/cpu${c}/topology`;
    return {
      id: c,
      socketId: readInt(`${topo}/physical_package_id`) ?? 0,
      dieId: readInt(`${topo}/die_id`) ?? 0,
      coreId: readInt(`${topo}/core_id`) ?? c,
      siblings: readHostFile(`${topo}/thread_siblings_list`) ?? String(c),
    };
  });
  return { id, memory, pages, distances, cpus };
}

/**
 * The host's NUMA cells; a host without NUMA is one cell with every online CPU and all the
 * memory.
 *
 * @example
 * ```ts
 * import { hostNumaCells } from "./host_topology.ts";
 * hostNumaCells()[0].cpus.length; // online CPUs of node 0
 * ```
 */
export function hostNumaCells(): Capabilities["host"]["cells"] {
  const online = new Set(cpuList(readHostFile(`${SYS_CPU}/online`)));
  const pageSizes = hostPageSizes();
  const nodes = listDir(SYS_NODE).map((n) => Number(n.match(/^node(\d+)$/)?.[1]))
    .filter((n) => !Number.isNaN(n)).sort((a, b) => a - b);
  if (nodes.length) return nodes.map((n) => cell(n, pageSizes, online));
  const memory = hostNodeInfo().memory;
  return [{
    id: 0,
    memory,
    pages: pageSizes.map((size, i) => ({ size, count: i === 0 ? Math.floor(memory / size) : 0 })),
    cpus: [...online].map((c) => ({ id: c, socketId: 0, dieId: 0, coreId: c, siblings: `${c}` })),
  }];
}

const CACHE_TYPES: Record<string, string> = {
  Unified: "both",
  Data: "data",
  Instruction: "code",
};

/** A size in KiB in the largest unit that holds it whole, as `virFormatIntPretty` prints it. */
function prettySize(kib: number): { size: number; unit: string } {
  let size = kib;
  let unit = "KiB";
  for (const next of ["MiB", "GiB", "TiB"]) {
    if (size % 1024 !== 0 || size === 0) break;
    size /= 1024;
    unit = next;
  }
  return { size, unit };
}

/**
 * `virCapabilitiesInitCaches`: the level 3 (and higher) caches, one bank per cache id, with the
 * CPUs that share it.
 *
 * @example
 * ```ts
 * import { hostCacheBanks } from "./host_topology.ts";
 * hostCacheBanks(); // [{ id: 0, level: 3, type: "both", size: 32, unit: "MiB", cpus: "0-1" }]
 * ```
 */
export function hostCacheBanks(): NonNullable<Capabilities["host"]["cache"]> {
  const banks = new Map<string, NonNullable<Capabilities["host"]["cache"]>[number]>();
  for (const cpu of cpuList(readHostFile(`${SYS_CPU}/online`))) {
    const dir = `${SYS_CPU}/cpu${cpu}/cache`;
    for (const index of listDir(dir).filter((n) => n.startsWith("index")).sort()) {
      const level = readInt(`${dir}/${index}/level`) ?? 0;
      if (level < 3) continue;
      const type = CACHE_TYPES[readHostFile(`${dir}/${index}/type`) ?? ""];
      const id = readInt(`${dir}/${index}/id`) ?? 0;
      const kib = Number(readHostFile(`${dir}/${index}/size`)?.match(/^(\d+)K$/)?.[1] ?? 0);
      const key = `${level}/${type}/${id}`;
      if (!type || !kib || banks.has(key)) continue;
      banks.set(key, {
        id,
        level,
        type,
        ...prettySize(kib),
        cpus: readHostFile(`${dir}/${index}/shared_cpu_list`) ?? `${cpu}`,
      });
    }
  }
  return [...banks.values()];
}

/**
 * `virHostHasIOMMU`: whether the kernel made IOMMU groups.
 *
 * @example
 * ```ts
 * import { hostHasIOMMU } from "./host_topology.ts";
 * hostHasIOMMU(); // false on most virtual machines
 * ```
 */
export function hostHasIOMMU(): boolean {
  return listDir("/sys/kernel/iommu_groups").length > 0;
}

const VENDORS: Record<string, string> = {
  GenuineIntel: "Intel",
  AuthenticAMD: "AMD",
  HygonGenuine: "Hygon",
};

/**
 * What `/proc/cpuinfo` says of the host CPU: vendor, microcode version, family / model /
 * stepping, physical address bits, and the topology of {@link hostNodeInfo}.
 *
 * @example
 * ```ts
 * import { hostCpuIdentity } from "./host_topology.ts";
 * hostCpuIdentity().vendor; // "AMD"
 * ```
 */
export function hostCpuIdentity(): NonNullable<Capabilities["host"]["cpu"]> {
  const info = readHostFile("/proc/cpuinfo") ?? "";
  const field = (name: string) => info.match(new RegExp(`^${name}\\s*:\\s*(.*)$`, "m"))?.[1];
  const num = (name: string) => {
    const v = field(name);
    return v === undefined ? undefined : Number(v);
  };
  const family = num("cpu family");
  const model = num("model");
  const stepping = num("stepping");
  const microcode = field("microcode");
  const bits = field("address sizes")?.match(/^(\d+) bits physical/)?.[1];
  const node = hostNodeInfo();
  return {
    vendor: VENDORS[field("vendor_id") ?? ""],
    microcode: microcode ? Number(microcode) : undefined,
    signature: family !== undefined && model !== undefined && stepping !== undefined
      ? { family, model, stepping }
      : undefined,
    topology: { sockets: node.sockets, dies: 1, cores: node.cores, threads: node.threads },
    maxPhysAddrBits: bits ? Number(bits) : undefined,
  };
}
