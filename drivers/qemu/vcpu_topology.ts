/**
 * qemuValidateDomainVCpuTopology's topology check: QEMU (2.7 on) wants the sockets, dies, cores
 * and threads to make exactly the maximum vCPU count.
 *
 * @example
 * ```ts
 * import { validateVcpuTopology } from "./vcpu_topology.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * validateVcpuTopology(def); // throws for <vcpu>3</vcpu> with 2 sockets of 2 cores
 * ```
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { unsupported } from "./command/unsupported.ts";

/** Throws libvirt's error when `def`'s CPU topology does not make its maximum vCPU count. */
export function validateVcpuTopology(def: DomainDef): void {
  const t = def.cpu?.topology;
  if (!t?.sockets) return;
  if (t.sockets * t.dies * t.cores * t.threads !== def.vcpu.max) {
    throw unsupported("CPU topology doesn't match maximum vcpu count");
  }
}
