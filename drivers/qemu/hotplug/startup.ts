/**
 * vCPU setup while a domain starts (`qemuProcessSetupHotpluggableVcpus` and the checks
 * around it in `qemuProcessLaunch`).
 *
 * @module
 */
import { hotpluggableCpuProps, persistOrder } from "./order.ts";
import { refreshVcpuInfo } from "./refresh.ts";
import type { HotplugContext } from "./types.ts";
import { validateHotpluggableVcpus, validateVcpuInfo } from "./validate.ts";
import { VirError } from "../../../util/errors.ts";
import { hasVcpuPids } from "./vcpu_model.ts";

/**
 * After QEMU started with `-smp` covering the non-hotpluggable vCPUs: validates the hotplug
 * configuration, plugs the enabled hotpluggable entities in their `order`, then checks the
 * whole domain's thread ids (the only place that does) and gives every vCPU its cgroup and pin.
 * Pins need thread ids: without them a pinned online vCPU fails the start, as in libvirt.
 *
 * @example
 * ```ts
 * import { startupVcpus } from "./startup.ts";
 * import type { HotplugContext } from "./types.ts";
 * declare const ctx: HotplugContext;
 * await startupVcpus(ctx);
 * ```
 */
export async function startupVcpus(ctx: HotplugContext): Promise<void> {
  const { vm, monitor } = ctx;
  await refreshVcpuInfo(vm, monitor, false, ctx.log);
  validateHotpluggableVcpus(vm);

  const boot = vm.vcpus
    .map((v, id) => ({ v, id }))
    .filter(({ v }) => v.online && v.hotpluggable && v.priv.vcpus !== 0)
    .sort((a, b) => a.v.order - b.v.order || a.id - b.id);
  if (boot.length) {
    const restore = await ctx.cgroup.allowEmulatorAllNodes?.();
    try {
      for (const { v, id } of boot) {
        v.priv.alias = `vcpu${id}`;
        await monitor.deviceAdd(hotpluggableCpuProps(v));
      }
    } finally {
      await restore?.();
    }
  }

  await refreshVcpuInfo(vm, monitor, false, ctx.log);
  validateVcpuInfo(vm);
  persistOrder(vm);
  if (!hasVcpuPids(vm) && vm.vcpus.some((v) => v.online && v.cpumask)) {
    throw VirError.report("QEMU", "OPERATION_INVALID", "cpu affinity is not supported");
  }
  for (const [id, v] of vm.vcpus.entries()) {
    if (!v.online || v.priv.tid === 0) continue;
    await ctx.cgroup.setupVcpu(id, v.priv.tid, v.cpumask);
    if (v.sched) await ctx.cgroup.setScheduler(v.priv.tid, v.sched);
  }
}
