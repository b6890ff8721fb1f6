/**
 * libvirt's `qemuDomainRefreshVcpuInfo`: re-reads QEMU's vCPU view into the private data.
 *
 * @module
 */
import { mergeCpuInfo } from "./cpu_info.ts";
import type { HotplugLog, LiveVcpus, VcpuMonitor } from "./types.ts";

/**
 * Refreshes every vCPU's private data from QEMU. With `state`, the online flags follow QEMU
 * too (re-attaching to a running QEMU). Thread ids that duplicate the process id or each other
 * (TCG without MTTCG) are discarded: pinning by them would hit the wrong thread. An alias QEMU
 * no longer reports is kept, so a late DEVICE_DELETED can still find its vCPU.
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
  // Both queries in flight at once: QMP answers in order, and one round trip is saved.
  const [hotplug, cpus] = await Promise.all([
    monitor.queryHotpluggableCpus(),
    monitor.queryCpusFast(),
  ]);
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
