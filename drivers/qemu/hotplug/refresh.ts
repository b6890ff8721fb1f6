/**
 * libvirt's `qemuDomainRefreshVcpuInfo`: re-reads QEMU's vCPU view into the private data, as
 * one step or as query and apply, so the query can ride right behind a `device_add`.
 *
 * @module
 */
import { mergeCpuInfo } from "./cpu_info.ts";
import type { CpuInfoFast, HotpluggableCpu } from "../monitor/qmp_types.ts";
import type { HotplugLog, LiveVcpus, VcpuMonitor } from "./types.ts";

/** QEMU's two answers a refresh is made of. */
export interface VcpuQuery {
  hotplug: HotpluggableCpu[];
  cpus: CpuInfoFast[];
}

/**
 * Sends both queries of a refresh at once (QMP answers in order, so one round trip is saved)
 * and resolves with their answers. Issued right behind a `device_add`, they see its result.
 *
 * @example
 * ```ts
 * import { queryVcpuInfo } from "./refresh.ts";
 * import type { VcpuMonitor } from "./types.ts";
 * declare const mon: VcpuMonitor;
 * const query = await queryVcpuInfo(mon);
 * ```
 */
export async function queryVcpuInfo(monitor: VcpuMonitor): Promise<VcpuQuery> {
  const [hotplug, cpus] = await Promise.all([
    monitor.queryHotpluggableCpus(),
    monitor.queryCpusFast(),
  ]);
  return { hotplug, cpus };
}

/**
 * Refreshes every vCPU's private data from QEMU. With `state`, the online flags follow QEMU
 * too (re-attaching to a running QEMU).
 *
 * @example
 * ```ts
 * import { refreshVcpuInfo } from "./refresh.ts";
 * import type { LiveVcpus, VcpuMonitor } from "./types.ts";
 * declare const vm: LiveVcpus, mon: VcpuMonitor;
 * await refreshVcpuInfo(vm, mon, false);
 * ```
 */
export async function refreshVcpuInfo(
  vm: LiveVcpus,
  monitor: VcpuMonitor,
  state: boolean,
  log?: HotplugLog,
): Promise<void> {
  applyVcpuInfo(vm, await queryVcpuInfo(monitor), state, log);
}

/**
 * Applies QEMU's answers to every vCPU's private data (libvirt's `qemuDomainRefreshVcpuInfo`
 * after its monitor calls). Thread ids that duplicate the process id or each other (TCG without
 * MTTCG) are discarded: pinning by them would hit the wrong thread. An alias QEMU no longer
 * reports is kept, so a late DEVICE_DELETED can still find its vCPU.
 *
 * @example
 * ```ts
 * import { applyVcpuInfo, type VcpuQuery } from "./refresh.ts";
 * import type { LiveVcpus } from "./types.ts";
 * declare const vm: LiveVcpus, query: VcpuQuery;
 * applyVcpuInfo(vm, query, false);
 * ```
 */
export function applyVcpuInfo(
  vm: LiveVcpus,
  { hotplug, cpus }: VcpuQuery,
  state: boolean,
  log?: HotplugLog,
): void {
  const info = mergeCpuInfo(hotplug, cpus, vm.vcpus.length);

  let validTids = true;
  for (let i = 0; i < info.length && validTids; i++) {
    if (info[i].tid === vm.pid) validTids = false;
    for (let j = 0; j < i && validTids; j++) {
      if (info[i].tid !== 0 && info[i].tid === info[j].tid) validTids = false;
    }
  }
  if (!validTids) log?.(`vCPU thread ids of pid ${vm.pid} are not distinct: ignoring them`);

  info.forEach((cpu, i) => {
    const vcpu = vm.vcpus[i];
    const priv = vcpu.priv;
    if (validTids) priv.tid = cpu.tid;
    priv.socketId = cpu.socketId;
    priv.dieId = cpu.dieId;
    priv.coreId = cpu.coreId;
    priv.threadId = cpu.threadId;
    priv.nodeId = cpu.nodeId;
    priv.vcpus = cpu.vcpus;
    priv.type = cpu.type;
    priv.props = cpu.props;
    if (cpu.alias) priv.alias = cpu.alias;
    priv.enableId = cpu.enableId;
    priv.qemuId = cpu.qemuId;
    if (state && hotplug.length) vcpu.online = cpu.online;
  });
}
