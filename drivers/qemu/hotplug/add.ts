/**
 * Hot-plugging one vCPU entity (libvirt's `qemuDomainHotplugAddVcpu`).
 *
 * @module
 */
import { VirError } from "../../../util/errors.ts";
import { hotpluggableCpuProps, persistOrder } from "./order.ts";
import { applyVcpuInfo, queryVcpuInfo } from "./refresh.ts";
import type { HotplugContext } from "./types.ts";
import { hasVcpuPids } from "./vcpu_model.ts";

/**
 * Plugs the entity starting at vCPU `vcpu` with alias `vcpuN`, refreshes, and judges only
 * that entity's vCPUs: each one with a thread id gets its cgroup first, and only then is a
 * missing thread id reported (before the orders are re-derived). Other vCPUs' state (say, an
 * unplug QEMU finished but whose event is not processed yet) never causes an error here.
 *
 * @example
 * ```ts
 * import { hotplugAddVcpu } from "./add.ts";
 * import type { HotplugContext } from "./types.ts";
 * declare const ctx: HotplugContext;
 * await hotplugAddVcpu(ctx, 1);
 * ```
 */
export async function hotplugAddVcpu(ctx: HotplugContext, vcpu: number): Promise<void> {
  const { vm } = ctx;
  const entity = vm.vcpus[vcpu];
  const nvcpus = entity.priv.vcpus;
  entity.priv.alias = `vcpu${vcpu}`;
  // The refresh queries go out right behind device_add: QEMU runs them after it, so they see the
  // new vCPU, and a round trip is saved. They only read: if device_add fails, their answers are
  // dropped and nothing changed, exactly as when they are never sent.
  const added = ctx.monitor.deviceAdd(hotpluggableCpuProps(entity));
  const query = queryVcpuInfo(ctx.monitor);
  try {
    await added;
  } catch (err) {
    await query.catch(() => {});
    throw err;
  }

  // From now on <vcpus> is formatted so the hotplugged vCPU stays unpluggable.
  vm.individual = true;
  applyVcpuInfo(vm, await query, false, ctx.log);

  // As libvirt: each vCPU goes online in turn, so a cgroup failure leaves the entity's later
  // vCPUs offline; a missing thread id is reported after the loop, naming the loop's end
  // (vcpu + nvcpus, not the vCPU that lacked it), and then the orders are not re-derived.
  let tidMissing = false;
  for (let i = vcpu; i < vcpu + nvcpus; i++) {
    const v = vm.vcpus[i];
    v.online = true;
    if (v.priv.tid > 0) {
      await ctx.cgroup.setupVcpu(i, v.priv.tid, v.cpumask);
      if (v.sched) await ctx.cgroup.setScheduler(v.priv.tid, v.sched);
    } else tidMissing = true;
  }
  if (tidMissing && hasVcpuPids(vm)) {
    throw VirError.report(
      "QEMU",
      "INTERNAL_ERROR",
      `qemu didn't report thread id for vcpu '${vcpu + nvcpus}'`,
    );
  }
  persistOrder(vm);
}
