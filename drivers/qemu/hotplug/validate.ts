/**
 * Start-time vCPU checks: the hotplug configuration (`qemuProcessValidateHotpluggableVcpus`)
 * and the whole-domain thread-id check (`qemuDomainValidateVcpuInfo`), which libvirt runs
 * only while starting a domain: at hot(un)plug time only the changed vCPUs are judged.
 *
 * @module
 */
import { VirError } from "../../../util/errors.ts";
import type { LiveVcpus } from "./types.ts";
import { hasVcpuPids } from "./vcpu_model.ts";

/**
 * Checks that the entities to plug at start have hotplug data, that vCPUs of one entity share
 * their configuration and that orders are unique and within the vCPU count.
 *
 * @example
 * ```ts
 * import { validateHotpluggableVcpus } from "./validate.ts";
 * import type { LiveVcpus } from "./types.ts";
 * declare const vm: LiveVcpus;
 * validateHotpluggableVcpus(vm);
 * ```
 */
export function validateHotpluggableVcpus(vm: LiveVcpus): void {
  const max = vm.vcpus.length;
  const orders = new Set<number>();
  vm.vcpus.forEach((vcpu, i) => {
    if (vcpu.priv.vcpus === 0) return;
    if (vcpu.order !== 0) {
      if (orders.has(vcpu.order)) {
        throw VirError.report("QEMU", "CONFIG_UNSUPPORTED", `duplicate vcpu order '${vcpu.order}'`);
      }
      if (vcpu.order > max) {
        throw VirError.report(
          "QEMU",
          "CONFIG_UNSUPPORTED",
          `vcpu order '${vcpu.order}' exceeds vcpu count`,
        );
      }
      orders.add(vcpu.order);
    }
    for (let j = i + 1; j < i + vcpu.priv.vcpus; j++) {
      const sub = vm.vcpus[j];
      if (
        sub.hotpluggable !== vcpu.hotpluggable || sub.online !== vcpu.online ||
        sub.order !== vcpu.order
      ) {
        throw VirError.report(
          "QEMU",
          "CONFIG_UNSUPPORTED",
          `vcpus '${i}' and '${j}' are in the same hotplug group but differ in configuration`,
        );
      }
    }
    const p = vcpu.priv;
    const noLocation = p.socketId === -1 && p.coreId === -1 && p.threadId === -1 &&
      p.nodeId === -1;
    if (vcpu.online && vcpu.hotpluggable && (noLocation || !p.type)) {
      throw VirError.report("QEMU", "CONFIG_UNSUPPORTED", `vcpu '${i}' is missing hotplug data`);
    }
  });
}

/**
 * Every online vCPU has a thread id and no offline one has, unless QEMU reported no usable
 * thread ids at all.
 *
 * @example
 * ```ts
 * import { validateVcpuInfo } from "./validate.ts";
 * import type { LiveVcpus } from "./types.ts";
 * declare const vm: LiveVcpus;
 * validateVcpuInfo(vm);
 * ```
 */
export function validateVcpuInfo(vm: LiveVcpus): void {
  if (!hasVcpuPids(vm)) return;
  vm.vcpus.forEach((vcpu, i) => {
    if (vcpu.online && vcpu.priv.tid === 0) {
      throw VirError.report(
        "QEMU",
        "INTERNAL_ERROR",
        `qemu didn't report thread id for vcpu '${i}'`,
      );
    }
    if (!vcpu.online && vcpu.priv.tid !== 0) {
      throw VirError.report(
        "QEMU",
        "INTERNAL_ERROR",
        `qemu reported thread id for inactive vcpu '${i}'`,
      );
    }
  });
}
