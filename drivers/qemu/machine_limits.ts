/**
 * The x86 machine types of QEMU 7.2 and their vCPU limits (`query-machines`' `cpu-max` of
 * qemu-system-x86_64 and qemu-system-i386, which list the same machines; x86_machines.json),
 * for qemuValidateDomainDef's machine check and qemuValidateDomainVCpuTopology's limits,
 * which libvirt takes from the binary's probed capabilities.
 *
 * @example
 * ```ts
 * import { validateMachineLimits } from "./machine_limits.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * validateMachineLimits(def); // throws for 256 vCPUs on pc-i440fx-7.2
 * ```
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import MACHINES from "./x86_machines.json" with { type: "json" };
import { unsupported } from "./command/unsupported.ts";
import { isQ35 } from "./default_devices.ts";

const CPU_MAX: Record<string, number> = MACHINES;

/** QEMU_MAX_VCPUS_WITHOUT_EIM: more vCPUs need x2APIC, thus q35 and an IOMMU with EIM. */
const MAX_WITHOUT_EIM = 255;

const isX86 = (def: DomainDef) => def.os.arch === "x86_64" || def.os.arch === "i686";

/**
 * virQEMUCapsIsMachineSupported for an x86 guest: `machine` (an alias resolved) is one QEMU
 * 7.2 has.
 *
 * @example
 * ```ts
 * import { validateMachineType } from "./machine_limits.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * validateMachineType(def, "pc-i440fx-7.2"); // no error
 * ```
 */
export function validateMachineType(def: DomainDef, machine: string): void {
  if (!isX86(def) || machine in CPU_MAX) return;
  throw unsupported(
    `Emulator '${def.devices.emulator}' does not support machine type '${machine}'`,
  );
}

/** qemuValidateDomainVCpuTopology's limits of an x86 guest's maximum vCPU count. */
export function validateMachineLimits(def: DomainDef): void {
  if (!isX86(def)) return;
  const max = def.vcpu.max;
  const limit = CPU_MAX[def.os.machine ?? ""] ?? 0;
  if (limit && max > limit) {
    throw unsupported(`Maximum CPUs greater than specified machine type limit ${limit}`);
  }
}

/** The x2APIC rule qemuValidateDomainVCpuTopology ends with. */
export function validateManyVcpus(def: DomainDef): void {
  if (!isX86(def) || def.vcpu.max <= MAX_WITHOUT_EIM) return;
  if (!isQ35(def)) {
    throw unsupported(
      `more than ${MAX_WITHOUT_EIM} vCPUs are only supported on q35-based machine types`,
    );
  }
  const iommu = def.devices.other.find((d) => d.name === "iommu");
  const eim = iommu?.children.some((c) =>
    c.type === "element" && c.name === "driver" && c.attributes.eim === "on"
  );
  if (!eim) {
    throw unsupported(
      `more than ${MAX_WITHOUT_EIM} vCPUs require extended interrupt mode enabled on the iommu ` +
        "device",
    );
  }
}
