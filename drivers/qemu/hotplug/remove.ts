/**
 * Hot-unplugging one vCPU entity and finishing a removal, on time or late
 * (`qemuDomainHotplugDelVcpu`, `qemuDomainRemoveVcpu`, `qemuDomainRemoveVcpuAlias`).
 *
 * @module
 */
import { VirError } from "../../../util/errors.ts";
import { deleteDevice, unknownCause } from "./delete_device.ts";
import { persistOrder } from "./order.ts";
import { refreshVcpuInfo } from "./refresh.ts";
import type { HotplugContext } from "./types.ts";

/**
 * Finishes the removal of the entity at `vcpu` once QEMU confirmed it
 * (`qemuDomainRemoveVcpu`): refresh, then each of the entity's vCPUs QEMU runs no thread for
 * goes offline, loses its alias and its cgroup; one it still runs a thread for stays and is
 * reported after the others were handled. Orders are left alone: only the waiting unplug
 * re-derives them ({@link hotplugDelVcpu}), a late removal does not.
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
  let offlineWithTid: number | undefined;
  for (let i = vcpu; i < vcpu + nvcpus; i++) {
    const v = vm.vcpus[i];
    if (v.priv.tid !== 0) {
      offlineWithTid ??= i;
      continue;
    }
    v.online = false;
    v.priv.alias = undefined;
    // libvirt ignores a failure to delete the thread's cgroup.
    await ctx.cgroup.removeVcpu(i).catch(() => {});
    ctx.onVcpuRemoved?.(i);
  }
  if (offlineWithTid !== undefined) {
    throw VirError.report(
      "QEMU",
      "INTERNAL_ERROR",
      `qemu reported thread id for inactive vcpu '${offlineWithTid}'`,
    );
  }
}

/**
 * A DEVICE_DELETED nobody waited for (the unplug had timed out): removes exactly the entity
 * holding `alias` (`qemuDomainRemoveVcpuAlias`). Returns false when no vCPU has that alias;
 * a removal that fails half-way is logged, not thrown, and counts as a change.
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
  // libvirt's event handler only logs a failed removal, and saves what did change anyway.
  await removeVcpu(ctx, vcpu).catch((err) => ctx.log?.(`${err?.message ?? err}`));
  return true;
}

/**
 * Asks QEMU to unplug the entity at `vcpu` and waits for DEVICE_DELETED
 * (`qemuDomainHotplugDelVcpu`). On timeout the vCPU stays online with its alias
 * (VIR_ERR_OPERATION_TIMEOUT); a guest refusal is VIR_ERR_OPERATION_FAILED; `device_del`'s own
 * answer is read as {@link deleteDevice} does. Once removed, every vCPU's order is re-derived
 * from QEMU's listing. Without `wait` it returns once QEMU accepted the request: the vCPU stays
 * online with its alias until its DEVICE_DELETED arrives as a late removal.
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
  if (!wait) {
    if (await ctx.monitor.deviceDel(alias)) return;
    throw unknownCause();
  }
  ctx.removal.mark(alias);
  try {
    await deleteDevice(ctx, alias);
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
    persistOrder(ctx.vm);
  } finally {
    ctx.removal.reset();
  }
}
