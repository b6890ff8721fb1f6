/**
 * Live vCPU count and individual vCPU changes (`qemuDomainSetVcpusLive` and the live halves
 * of `qemuDomainSetVcpusInternal` / `qemuDomainSetVcpuInternal`).
 *
 * @module
 */
import { VirError } from "../../../util/errors.ts";
import { hotplugAddVcpu } from "./add.ts";
import { hotplugDelVcpu } from "./remove.ts";
import { filterHotplugVcpuEntities, selectHotplugVcpuEntities } from "./select.ts";
import type { HotplugContext, LiveVcpus } from "./types.ts";

/**
 * Plugs (in ascending order) or unplugs (in descending order) the given entities, stopping at
 * the first failure, the emulator free to allocate on every host node meanwhile. Unplugs wait
 * for QEMU's DEVICE_DELETED unless `wait` is false.
 *
 * @example
 * ```ts
 * import { setVcpusLive } from "./set_vcpus.ts";
 * import type { HotplugContext } from "./types.ts";
 * declare const ctx: HotplugContext;
 * await setVcpusLive(ctx, [1, 2], true);
 * ```
 */
export async function setVcpusLive(
  ctx: HotplugContext,
  entities: number[],
  enable: boolean,
  wait = true,
): Promise<void> {
  const order = [...entities].sort((a, b) => enable ? a - b : b - a);
  const restore = await ctx.cgroup.allowEmulatorAllNodes?.();
  try {
    for (const vcpu of order) {
      if (enable) await hotplugAddVcpu(ctx, vcpu);
      else await hotplugDelVcpu(ctx, vcpu, wait);
    }
  } finally {
    await restore?.();
  }
}

/**
 * The entities to change for a live vCPU count of `nvcpus`, after libvirt's checks.
 *
 * @example
 * ```ts
 * import { planVcpuCount } from "./set_vcpus.ts";
 * import type { LiveVcpus } from "./types.ts";
 * declare const vm: LiveVcpus;
 * const plan = planVcpuCount(vm, 4);
 * ```
 */
export function planVcpuCount(
  vm: LiveVcpus,
  nvcpus: number,
): { entities: number[]; enable: boolean } {
  checkVcpuCount(vm.vcpus.length, nvcpus, "live");
  return selectHotplugVcpuEntities(vm, nvcpus);
}

/**
 * libvirt's check of a requested vCPU count against the live or persistent maximum.
 *
 * @example
 * ```ts
 * import { checkVcpuCount } from "./set_vcpus.ts";
 * checkVcpuCount(4, 3, "persistent"); // fine; 5 would throw VIR_ERR_INVALID_ARG
 * ```
 */
export function checkVcpuCount(max: number, nvcpus: number, which: "live" | "persistent"): void {
  if (nvcpus > max) {
    throw VirError.report(
      "QEMU",
      "INVALID_ARG",
      `requested vcpus is greater than max allowable vcpus for the ${which} domain: ${nvcpus} > ${max}`,
    );
  }
}

/**
 * The single entity a live `setVcpu` selection changes.
 *
 * @example
 * ```ts
 * import { planVcpuSelection } from "./set_vcpus.ts";
 * import type { LiveVcpus } from "./types.ts";
 * declare const vm: LiveVcpus;
 * const entities = planVcpuSelection(vm, [7], true);
 * ```
 */
export function planVcpuSelection(vm: LiveVcpus, selected: number[], state: boolean): number[] {
  const entities = filterHotplugVcpuEntities(vm, selected, state);
  // Recovering from a partial failure over several entities is hard: libvirt allows one.
  if (entities.length !== 1) {
    throw VirError.report(
      "QEMU",
      "OPERATION_UNSUPPORTED",
      "only one hotpluggable entity can be selected",
    );
  }
  return entities;
}
