/**
 * The `<features>` libvirt 9.0 writes as `-machine` options (qemuAppendDomainFeaturesMachineParam,
 * for x86): the VMware I/O port, SMM, and the I/O APIC's place (`kernel_irqchip`, split for
 * QEMU's own, on for KVM's).
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { child } from "../../../util/xml/mod.ts";
import { smmMachineOption } from "../smm.ts";

/**
 * `,vmport=…,smm=…,kernel_irqchip=…` for the features the definition sets.
 *
 * @example
 * ```ts
 * import { featureMachineOptions } from "./machine_features.ts";
 * import { parseDomainXML } from "../../../conf/domain/mod.ts";
 * const def = parseDomainXML(
 *   "<domain type='qemu'><name>a</name><memory>8192</memory><os><type>hvm</type></os>" +
 *     "<features><ioapic driver='qemu'/></features></domain>",
 * );
 * featureMachineOptions(def); // ",kernel_irqchip=split"
 * ```
 */
export function featureMachineOptions(def: DomainDef): string {
  const features = def.sections.find((s) => s.name === "features");
  const vmport = child(features, "vmport")?.attributes.state;
  const ioapic = child(features, "ioapic")?.attributes.driver;
  const irqchip = ioapic === "qemu" ? "split" : ioapic === "kvm" ? "on" : undefined;
  return (vmport ? `,vmport=${vmport}` : "") + smmMachineOption(def) +
    (irqchip ? `,kernel_irqchip=${irqchip}` : "");
}
