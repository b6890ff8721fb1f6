/**
 * vCPU and emulator pinning as libvirt keeps it: in the definition (`def->vcpus[i]->cpumask`,
 * `def->cputune.emulatorpin`), so a pin shows up in the XML's `<cputune>` as `<vcpupin>` /
 * `<emulatorpin>`, follows the live/persistent split and is read back from a defined XML.
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { formatBitmap, parseBitmap } from "../../conf/domain/bitmap.ts";
import { elementSpec } from "../../conf/domain/schema.ts";
import type { XmlElement } from "../../util/xml/mod.ts";

/** `vcpupin` of one vCPU, or `emulatorpin` when `vcpu` is undefined. */
function isPin(el: XmlElement, vcpu: number | undefined): boolean {
  return vcpu === undefined
    ? el.name === "emulatorpin"
    : el.name === "vcpupin" && Number(el.attributes.vcpu) === vcpu;
}

function cputuneOf(def: DomainDef): XmlElement | undefined {
  return def.sections.find((s) => s.name === "cputune") as XmlElement | undefined;
}

/**
 * The host CPUs a `<cputune>` pin names: the `vcpupin` of `vcpu`, or the `emulatorpin` when
 * `vcpu` is undefined; undefined when there is no such pin.
 *
 * @example
 * ```ts
 * import { pinnedCpus } from "./domain_cputune.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * pinnedCpus(def, 0); // e.g. [0, 2] for <vcpupin vcpu='0' cpuset='0,2'/>
 * ```
 */
export function pinnedCpus(def: DomainDef, vcpu?: number): number[] | undefined {
  const pin = cputuneOf(def)?.children.find((c): c is XmlElement =>
    c.type === "element" && isPin(c, vcpu)
  );
  return pin ? parseBitmap(pin.attributes.cpuset ?? "") : undefined;
}

/**
 * Pins a vCPU (or the emulator when `vcpu` is undefined) to the CPUs set in `cpumap`, creating
 * `<cputune>` if needed and keeping its children in libvirt's order (vCPU pins by vCPU).
 *
 * @example
 * ```ts
 * import { setPin } from "./domain_cputune.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * setPin(def, [true, false, true], 0); // <vcpupin vcpu='0' cpuset='0,2'/>
 * ```
 */
export function setPin(def: DomainDef, cpumap: readonly boolean[], vcpu?: number): void {
  let cputune = cputuneOf(def);
  if (!cputune) {
    cputune = { type: "element", name: "cputune", attributes: {}, children: [] };
    def.sections.push(cputune);
  }
  const cpuset = formatBitmap(cpumap.flatMap((on, cpu) => on ? [cpu] : []));
  const pin: XmlElement = {
    type: "element",
    name: vcpu === undefined ? "emulatorpin" : "vcpupin",
    attributes: vcpu === undefined ? { cpuset } : { vcpu: String(vcpu), cpuset },
    children: [],
  };
  const order = elementSpec("domain", "cputune")!.kids;
  const rank = (el: XmlElement) =>
    order.indexOf(el.name) * 65536 + (el.name === "vcpupin" ? Number(el.attributes.vcpu) : 0);
  const kids = cputune.children.filter((c) => c.type !== "element" || !isPin(c, vcpu));
  kids.push(pin);
  cputune.children = kids.sort((a, b) =>
    a.type === "element" && b.type === "element" ? rank(a) - rank(b) : 0
  );
}
