/**
 * vCPU enable order and `device_add` properties.
 *
 * @module
 */
import type { LiveVcpus, VcpuState } from "./types.ts";

/**
 * libvirt's `qemuDomainVcpuPersistOrder`: records QEMU's enable order in the live `order=`
 * attributes (offline vCPUs get none; vCPUs of one entity share their entity's order).
 *
 * @example
 * ```ts
 * import { persistOrder } from "./order.ts";
 * import type { LiveVcpus } from "./types.ts";
 * declare const vm: LiveVcpus;
 * persistOrder(vm);
 * ```
 */
export function persistOrder(vm: LiveVcpus): void {
  let prev = 0;
  for (const vcpu of vm.vcpus) {
    if (!vcpu.online) {
      vcpu.order = 0;
      continue;
    }
    if (vcpu.priv.enableId !== 0) prev = vcpu.priv.enableId;
    vcpu.order = prev;
  }
}

/**
 * `device_add` arguments for a vCPU entity (`qemuBuildHotpluggableCPUProps`): QEMU's type and
 * location properties, with the alias as id.
 *
 * @example
 * ```ts
 * import { hotpluggableCpuProps } from "./order.ts";
 * import type { VcpuState } from "./types.ts";
 * declare const vcpu: VcpuState;
 * const props = hotpluggableCpuProps(vcpu);
 * ```
 */
export function hotpluggableCpuProps(vcpu: VcpuState): Record<string, unknown> {
  return { driver: vcpu.priv.type, id: vcpu.priv.alias, ...vcpu.priv.props };
}
