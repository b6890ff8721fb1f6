/**
 * Conversions between the domain definition's `<vcpu>`/`<vcpus>` and {@link VcpuState}s.
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { vcpuPinsOf, writeVcpuPins } from "../../../conf/domain/pins.ts";
import { threadSchedOf } from "../../../conf/domain/cputune_sched.ts";
import type { LiveVcpus, VcpuPrivate, VcpuState } from "./types.ts";

/** A vCPU's private data before QEMU has told anything. */
export function emptyPrivate(): VcpuPrivate {
  return {
    tid: 0,
    socketId: -1,
    dieId: -1,
    coreId: -1,
    threadId: -1,
    nodeId: -1,
    vcpus: 0,
    enableId: 0,
    qemuId: -1,
  };
}

/**
 * The vCPU list of a definition. Without `<vcpus>`, the first `current` vCPUs are online and
 * not hotpluggable and the rest offline and hotpluggable, as libvirt's post-parse makes them.
 *
 * @example
 * ```ts
 * import { vcpusFromDef } from "./vcpu_model.ts";
 * import type { DomainDef } from "../../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * const { vcpus, individual } = vcpusFromDef(def);
 * ```
 */
export function vcpusFromDef(def: DomainDef): { vcpus: VcpuState[]; individual: boolean } {
  const max = def.vcpu.max;
  const listed = new Map((def.vcpus ?? []).map((v) => [v.id, v]));
  const pins = vcpuPinsOf(def);
  const vcpus: VcpuState[] = [];
  for (let i = 0; i < max; i++) {
    const v = listed.get(i);
    const online = v ? v.enabled : i < def.vcpu.current;
    const sched = threadSchedOf(def, "vcpusched", i);
    vcpus.push({
      online,
      hotpluggable: v ? v.hotpluggable : !online,
      order: v?.order ?? 0,
      ...(pins.has(i) ? { cpumask: pins.get(i) } : {}),
      ...(sched ? { sched } : {}),
      priv: emptyPrivate(),
    });
  }
  return { vcpus, individual: def.vcpus !== undefined };
}

/**
 * Writes a vCPU list back into a definition: the current count, `<vcpus>` when the list is
 * individual, and the vCPU pins.
 *
 * @example
 * ```ts
 * import { applyVcpusToDef, vcpusFromDef } from "./vcpu_model.ts";
 * import type { DomainDef } from "../../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * const { vcpus } = vcpusFromDef(def);
 * applyVcpusToDef(def, vcpus, true);
 * ```
 */
export function applyVcpusToDef(def: DomainDef, vcpus: VcpuState[], individual: boolean): void {
  def.vcpu.max = vcpus.length;
  def.vcpu.current = countOnline(vcpus);
  def.vcpus = individual
    ? vcpus.map((v, id) => ({
      id,
      enabled: v.online,
      hotpluggable: v.hotpluggable,
      ...(v.order ? { order: v.order } : {}),
    }))
    : undefined;
  writeVcpuPins(def, vcpus.map((v) => v.cpumask));
}

/** Number of online vCPUs (libvirt's `virDomainDefGetVcpus`). */
export function countOnline(vcpus: VcpuState[]): number {
  return vcpus.filter((v) => v.online).length;
}

/** libvirt's `qemuDomainHasVcpuPids`: whether QEMU reported usable thread ids at all. */
export function hasVcpuPids(vm: LiveVcpus): boolean {
  return vm.vcpus.some((v) => v.priv.tid !== 0);
}
