/**
 * One domain's statistics calls of libvirt's QEMU driver: `qemuDomainBlockStats`,
 * `qemuDomainInterfaceStats`, `qemuDomainMemoryStats` and `qemuDomainGetCPUStats`.
 *
 * @module
 */
import { checkActive, isActive } from "../../../conf/objects/domain_obj.ts";
import { child } from "../../../util/xml/mod.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import { VIR } from "../../../util/constants.ts";
import type { TypedParams } from "../../../util/driver.ts";
import { diskByName, disks, memballoon, netFind } from "../../../conf/domain/device_lookup.ts";
import type { DomainInterface, XmlElementJSON } from "../../../conf/domain/def.ts";
import { cgroupWith } from "./tuning_access.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import { type BlockCounters, queryBalloonStats, queryBlockCounters } from "./stats_qmp.ts";
import { type InterfaceCounters, procStat, tapInterfaceStats } from "./stats_proc.ts";
import { sharesHostView } from "../net/nics.ts";
import { hasVcpuPids } from "../hotplug/vcpu_model.ts";
import type { Cgroup } from "../../../util/cgroup/mod.ts";
import { cpuList, readHostFile } from "../../../util/host_info.ts";

/**
 * A disk's alias, the id QEMU knows its frontend by.
 *
 * @example
 * ```ts
 * import { diskAlias } from "./stats_domain.ts";
 * declare const disk: import("../../../conf/domain/def.ts").XmlElementJSON;
 * diskAlias(disk); // "virtio-disk0"
 * ```
 */
export function diskAlias(disk: XmlElementJSON): string | undefined {
  return child(disk, "alias")?.attributes.name;
}

/**
 * `qemuDomainBlocksStatsGather`: a disk's (by target or source path) counters, or every disk's
 * summed for an empty path, in a query job of the running domain.
 */
function gatherBlockStats(
  obj: QemuDomainObj,
  path: string,
): Promise<(k: keyof BlockCounters) => number> {
  return obj.job.run(async () => {
    checkActive(obj);
    let alias: string | undefined;
    if (path) {
      const disk = diskByName(obj.def, path, false);
      if (!disk) throw VirError.report("QEMU", "INVALID_ARG", `invalid path: ${path}`);
      alias = diskAlias(disk);
      if (!alias) {
        throw VirError.report(
          "QEMU",
          "INTERNAL_ERROR",
          `missing disk device alias name for ${child(disk, "target")?.attributes.dev}`,
        );
      }
    }
    const counters = await queryBlockCounters(obj.proc!.monitor);
    const pick = (id: string): BlockCounters => {
      const c = counters.get(id);
      if (!c) {
        throw VirError.report(
          "QEMU",
          "INTERNAL_ERROR",
          `cannot find statistics for device '${id}'`,
        );
      }
      return c;
    };
    const chosen = alias
      ? [pick(alias)]
      : disks(obj.def).map(diskAlias).filter((a): a is string => !!a).map(pick);
    return (k: keyof BlockCounters) => chosen.reduce((n, c) => n + (c[k] ?? 0), 0);
  });
}

/**
 * `qemuDomainBlockStats`: the read and write counters of {@link gatherBlockStats}; QEMU counts
 * no errors, so `errs` is -1.
 *
 * @example
 * ```ts ignore
 * import { blockStats } from "./stats_domain.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await blockStats(obj, "vda"); // { rd_req: 1, rd_bytes: 512, wr_req: 0, wr_bytes: 0, errs: -1 }
 * ```
 */
export async function blockStats(obj: QemuDomainObj, path: string): Promise<TypedParams> {
  const sum = await gatherBlockStats(obj, path);
  return {
    rd_req: sum("rd_req"),
    rd_bytes: sum("rd_bytes"),
    wr_req: sum("wr_req"),
    wr_bytes: sum("wr_bytes"),
    errs: -1,
  };
}

/** `qemuDomainBlockStatsFlags`' parameters, in its order, by the counter each carries. */
const BLOCK_STATS_PARAMS: readonly [string, keyof BlockCounters][] = [
  ["wr_bytes", "wr_bytes"],
  ["wr_operations", "wr_req"],
  ["rd_bytes", "rd_bytes"],
  ["rd_operations", "rd_req"],
  ["flush_operations", "flush_req"],
  ["wr_total_times", "wr_total_times"],
  ["rd_total_times", "rd_total_times"],
  ["flush_total_times", "flush_total_times"],
];

/**
 * `qemuDomainBlockStatsFlags`: every counter of {@link gatherBlockStats} as libvirt's typed
 * parameters (`rd_operations`, the total times in ns, …).
 *
 * @example
 * ```ts ignore
 * import { blockStatsFlags } from "./stats_domain.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * (await blockStatsFlags(obj, "vda", 0)).flush_operations; // 0
 * ```
 */
export async function blockStatsFlags(
  obj: QemuDomainObj,
  path: string,
  flags: number,
): Promise<TypedParams> {
  checkFlags(flags, VIR.TYPED_PARAM_STRING_OKAY, "qemuDomainBlockStatsFlags", "QEMU");
  const sum = await gatherBlockStats(obj, path);
  return Object.fromEntries(BLOCK_STATS_PARAMS.map(([name, counter]) => [name, sum(counter)]));
}

/**
 * The counters of a running interface (`virNetDevTapInterfaceStats` of its host device).
 *
 * @example
 * ```ts ignore
 * import { netCounters } from "./stats_domain.ts";
 * declare const net: import("../../../conf/domain/def.ts").DomainInterface;
 * netCounters(net).rx_bytes;
 * ```
 */
export function netCounters(net: DomainInterface): InterfaceCounters {
  // libvirt reads a tap's counters turned round: its host side sends what the guest receives.
  return tapInterfaceStats(net.target, !sharesHostView(net));
}

/**
 * `qemuDomainInterfaceStats`: the counters of the interface named by its host device or MAC
 * address. A user-mode NIC has no host device: found by MAC, it is refused as libvirt refuses
 * it ("Interface name not provided").
 *
 * @example
 * ```ts ignore
 * import { interfaceStats } from "./stats_domain.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * interfaceStats(obj, "vnet0").rx_bytes;
 * ```
 */
export function interfaceStats(obj: QemuDomainObj, device: string): TypedParams {
  checkActive(obj);
  return { ...netCounters(netFind(obj.def, device)) };
}

/**
 * The balloon's QOM path: QEMU knows the device by its alias.
 *
 * @example
 * ```ts
 * import { balloonPath } from "./stats_domain.ts";
 * declare const balloon: import("../../../conf/domain/def.ts").XmlElementJSON;
 * balloonPath(balloon); // "/machine/peripheral/balloon0"
 * ```
 */
export function balloonPath(balloon: XmlElementJSON): string {
  return `/machine/peripheral/${diskAlias(balloon) ?? "balloon0"}`;
}

/**
 * `qemuDomainMemoryStatsInternal` for a domain known to run: the balloon's statistics when
 * there is one, then QEMU's resident set size when /proc has it.
 *
 * @example
 * ```ts ignore
 * import { memoryStatsOf } from "./stats_domain.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await memoryStatsOf(obj); // { actual: 65536, last_update: 0, rss: 48008 }
 * ```
 */
export async function memoryStatsOf(obj: QemuDomainObj): Promise<Record<string, number>> {
  const balloon = memballoon(obj.def);
  const stats = balloon ? await queryBalloonStats(obj.proc!.monitor, balloonPath(balloon)) : {};
  // Without /proc libvirt logs "cannot get RSS for domain" and returns the rest.
  const stat = procStat(obj.proc!.pid);
  if (stat) stats.rss = stat.rssKiB;
  return stats;
}

/**
 * `qemuDomainMemoryStats`.
 *
 * @example
 * ```ts ignore
 * import { memoryStats } from "./stats_domain.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await memoryStats(obj, 0);
 * ```
 */
export async function memoryStats(
  obj: QemuDomainObj,
  flags: number,
): Promise<Record<string, number>> {
  checkFlags(flags, 0, "qemuDomainMemoryStats", "QEMU");
  return await obj.job.run(() => {
    checkActive(obj);
    return memoryStatsOf(obj);
  });
}

/**
 * `qemuDomainGetCPUStats` from the domain's cgroup `cpuacct` controller: with `startCpu` -1 the
 * totals (`cpu_time`, `user_time`, `system_time`), else one record per host CPU from
 * `startCpu` (`cpu_time`, and `vcpu_time` summed over the online vCPUs' groups once their
 * threads are known). A domain without that controller (any `qemu:///session` one) is refused
 * as libvirt refuses it.
 *
 * @example
 * ```ts ignore
 * import { cpuStats } from "./stats_domain.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await cpuStats(obj, -1, 1, 0); // [{ cpu_time: 1234, user_time: 1000, system_time: 200 }]
 * ```
 */
export async function cpuStats(
  obj: QemuDomainObj,
  startCpu: number,
  ncpus: number,
  flags: number,
): Promise<TypedParams[]> {
  checkFlags(flags, VIR.TYPED_PARAM_STRING_OKAY, "qemuDomainGetCPUStats", "QEMU");
  checkActive(obj);
  const cgroup = cgroupWith(obj, "cpuacct", "cgroup CPUACCT controller is not mounted");
  const vm = obj.vcpus?.ctx.vm;
  const guestVcpus = vm && hasVcpuPids(vm)
    ? vm.vcpus.flatMap((v, i) => v.online ? [i] : [])
    : undefined;
  if (startCpu === -1) {
    const { user, system } = await cgroup.cpuacctStat();
    return [{ cpu_time: await cgroup.cpuacctUsage(), user_time: user, system_time: system }];
  }
  return await percpuStats(cgroup, startCpu, ncpus, guestVcpus);
}

/** `virCgroupGetPercpuStats`: counters of every present host CPU, 0 for absent ones. */
async function percpuStats(
  cgroup: Cgroup,
  startCpu: number,
  ncpus: number,
  guestVcpus: number[] | undefined,
): Promise<TypedParams[]> {
  const present = new Set(cpuList(readHostFile("/sys/devices/system/cpu/present")));
  const total = Math.max(-1, ...present) + 1;
  if (startCpu >= total) {
    throw VirError.report(
      "CGROUP",
      "INVALID_ARG",
      `start_cpu ${startCpu} larger than maximum of ${total - 1}`,
    );
  }
  const need = Math.min(total, startCpu + ncpus);
  const perCpu = async (group: Cgroup): Promise<number[]> => {
    const values = (await group.cpuacctPercpuUsage()).trim().split(/\s+/);
    let next = 0;
    return Array.from({ length: need }, (_, cpu) => {
      if (!present.has(cpu)) return 0;
      const v = values[next++];
      if (v === undefined || !/^\d+$/.test(v)) {
        throw VirError.report("CGROUP", "INTERNAL_ERROR", "cpuacct parse error");
      }
      return Number(v);
    });
  };
  const cpuTime = await perCpu(cgroup);
  let vcpuTime: number[] | undefined;
  if (guestVcpus) {
    vcpuTime = Array(need).fill(0);
    for (const vcpu of guestVcpus) {
      const times = await perCpu(await cgroup.newThread("vcpu", vcpu, false));
      times.forEach((t, cpu) => vcpuTime![cpu] += t);
    }
  }
  const out: TypedParams[] = [];
  for (let cpu = startCpu; cpu < need; cpu++) {
    out.push(
      vcpuTime ? { cpu_time: cpuTime[cpu], vcpu_time: vcpuTime[cpu] } : {
        cpu_time: cpuTime[cpu],
      },
    );
  }
  return out;
}

/**
 * `qemuDomainUpdateCurrentMemorySize`: a running domain without a balloon has all its memory,
 * whatever `<currentMemory>` said (libvirt updates it before `getInfo` and `getXMLDesc`).
 *
 * @example
 * ```ts ignore
 * import { updateCurrentMemorySize } from "./stats_domain.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * updateCurrentMemorySize(obj);
 * ```
 */
export function updateCurrentMemorySize(obj: QemuDomainObj): void {
  if (isActive(obj) && !memballoon(obj.def)) obj.def.memory.current = obj.def.memory.total;
}
