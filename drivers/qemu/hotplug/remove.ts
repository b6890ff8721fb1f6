/**
 * Hot-unplugging one vCPU entity and finishing a removal, on time or late
 * (`qemuDomainHotplugDelVcpu`, `qemuDomainRemoveVcpu`, `qemuDomainRemoveVcpuAlias`).
 *
 * @module
 */
import { VirError } from "../../../util/errors.ts";
import { refreshVcpuInfo } from "./refresh.ts";
import type { HotplugContext } from "./types.ts";

/**
 * Finishes the removal of the entity at `vcpu` once QEMU confirmed it: refresh, check that
 * QEMU no longer runs threads for exactly this entity's vCPUs, mark them offline, free the
 * alias and remove their cgroups.
 *
 * @example
 * ```ts
 * import { removeVcpu } from "./remove.ts";
 * import type { HotplugContext } from "./types.ts";
 * declare const ctx: HotplugContext;
 * await removeVcpu(ctx, 3);
 * ```
 */
export async function removeVcpu(ctx: HotplugContext, vcpu: number): Promise<void> {
  const { vm } = ctx;
  const nvcpus = vm.vcpus[vcpu].priv.vcpus;
  await refreshVcpuInfo(vm, ctx.monitor, false, ctx.log);
  for (let i = vcpu; i < vcpu + nvcpus; i++) {
    if (vm.vcpus[i].priv.tid !== 0) {
      throw VirError.report(
        "QEMU",
        "INTERNAL_ERROR",
        `qemu reported thread id for inactive vcpu '${i}'`,
      );
    }
  }
  // Only the removed entity changes: libvirt re-derives the other vCPUs' orders on plug only.
  for (let i = vcpu; i < vcpu + nvcpus; i++) {
    vm.vcpus[i].online = false;
    vm.vcpus[i].order = 0;
  }
  vm.vcpus[vcpu].priv.alias = undefined;
  for (let i = vcpu; i < vcpu + nvcpus; i++) {
    await ctx.cgroup.removeVcpu(i);
    ctx.onVcpuRemoved?.(i);
  }
}

/**
 * A DEVICE_DELETED nobody waited for (the unplug had timed out): removes exactly the entity
 * holding `alias`. Returns false when no vCPU has that alias.
 *
 * @example
 * ```ts
 * import { removeVcpuAlias } from "./remove.ts";
 * import type { HotplugContext } from "./types.ts";
 * declare const ctx: HotplugContext;
 * await removeVcpuAlias(ctx, "vcpu3");
 * ```
 */
export async function removeVcpuAlias(ctx: HotplugContext, alias: string): Promise<boolean> {
  const vcpu = ctx.vm.vcpus.findIndex((v) => v.priv.alias === alias);
  if (vcpu < 0) return false;
  await removeVcpu(ctx, vcpu);
  return true;
}

/**
 * Asks QEMU to unplug the entity at `vcpu` and waits for DEVICE_DELETED. On timeout the vCPU
 * stays online with its alias (VIR_ERR_OPERATION_TIMEOUT); a guest refusal is
 * VIR_ERR_OPERATION_FAILED. Without `wait` it returns once QEMU accepted the request: the
 * vCPU stays online with its alias until its DEVICE_DELETED arrives as a late removal.
 *
 * @example
 * ```ts
 * import { hotplugDelVcpu } from "./remove.ts";
 * import type { HotplugContext } from "./types.ts";
 * declare const ctx: HotplugContext;
 * await hotplugDelVcpu(ctx, 3);
 * ```
 */
export async function hotplugDelVcpu(
  ctx: HotplugContext,
  vcpu: number,
  wait = true,
): Promise<void> {
  const alias = ctx.vm.vcpus[vcpu].priv.alias;
  if (!alias) {
    throw VirError.report("QEMU", "OPERATION_UNSUPPORTED", `vcpu '${vcpu}' can't be unplugged`);
  }
  if (!wait) return await ctx.monitor.deviceDel(alias);
  ctx.removal.mark(alias);
  try {
    await ctx.monitor.deviceDel(alias);
    const outcome = await ctx.removal.wait(ctx.unplugTimeoutMs);
    if (outcome === "timeout") {
      throw VirError.report(
        "QEMU",
        "OPERATION_TIMEOUT",
        "vcpu unplug request timed out. Unplug result must be manually inspected in the domain",
      );
    }
    if (outcome === "rejected") {
      throw VirError.report(
        "QEMU",
        "OPERATION_FAILED",
        "unplug of device was rejected by the guest",
      );
    }
    await removeVcpu(ctx, vcpu);
  } finally {
    ctx.removal.reset();
  }
}
