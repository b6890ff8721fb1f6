/**
 * The pins of `<cputune>` as the QEMU driver keeps them: per-vCPU masks (libvirt's
 * `def->vcpus[i]->cpumask`, carried by the vCPU model) and the emulator mask
 * (`def->cputune.emulatorpin`), read from and written back into the definition's section so the
 * XML prints them where and how libvirt does.
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { formatBitmap, parseBitmap } from "../../conf/domain/bitmap.ts";
import { elementSpec } from "../../conf/domain/schema.ts";
import type { XmlElement } from "../../util/xml/mod.ts";

const pinElements = (def: DomainDef, name: string): XmlElement[] =>
  cputuneOf(def)?.children.filter((c): c is XmlElement =>
    c.type === "element" && c.name === name
  ) ?? [];

function cputuneOf(def: DomainDef): XmlElement | undefined {
  return def.sections.find((s) => s.name === "cputune");
}

/**
 * Replaces every `name` child of `<cputune>` with `pins`, keeping libvirt's child order, and
 * drops a `<cputune>` left empty (libvirt prints none then).
 */
function replacePins(def: DomainDef, name: string, pins: XmlElement[]): void {
  let cputune = cputuneOf(def);
  if (!cputune) {
    if (!pins.length) return;
    cputune = { type: "element", name: "cputune", attributes: {}, children: [] };
    def.sections.push(cputune);
  }
  const order = elementSpec("domain", "cputune")!.kids;
  const rank = (n: { type: string; name?: string }) =>
    order.indexOf(n.type === "element" ? n.name! : "");
  const kept = cputune.children.filter((c) => c.type !== "element" || c.name !== name);
  // A stable sort: pins arrive in vCPU order and stay so; other children keep theirs.
  cputune.children = [...kept, ...pins].sort((a, b) => rank(a) - rank(b));
  if (!cputune.children.some((c) => c.type === "element")) {
    def.sections = def.sections.filter((s) => s !== cputune);
  }
}

/**
 * The `<vcpupin>` masks of a definition, by vCPU id.
 *
 * @example
 * ```ts
 * import { vcpuPinsOf } from "./cputune.ts";
 * import type { DomainDef } from "../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * vcpuPinsOf(def).get(1); // [0, 2] for <vcpupin vcpu='1' cpuset='0,2'/>
 * ```
 */
export function vcpuPinsOf(def: DomainDef): Map<number, number[]> {
  return new Map(
    pinElements(def, "vcpupin").map((
      el,
    ) => [Number(el.attributes.vcpu), parseBitmap(el.attributes.cpuset ?? "")]),
  );
}

/**
 * Writes the vCPU masks (index = vCPU id, undefined = not pinned) as `<vcpupin>` elements.
 *
 * @example
 * ```ts
 * import { writeVcpuPins } from "./cputune.ts";
 * import type { DomainDef } from "../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * writeVcpuPins(def, [undefined, [0, 1]]); // <vcpupin vcpu='1' cpuset='0-1'/>
 * ```
 */
export function writeVcpuPins(def: DomainDef, masks: (number[] | undefined)[]): void {
  const pins = masks.flatMap((cpus, vcpu): XmlElement[] =>
    cpus
      ? [{
        type: "element",
        name: "vcpupin",
        attributes: { vcpu: String(vcpu), cpuset: formatBitmap(cpus) },
        children: [],
      }]
      : []
  );
  replacePins(def, "vcpupin", pins);
}

/**
 * The `<emulatorpin>` mask, if any.
 *
 * @example
 * ```ts
 * import { emulatorPinOf } from "./cputune.ts";
 * import type { DomainDef } from "../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * emulatorPinOf(def); // [1] for <emulatorpin cpuset='1'/>
 * ```
 */
export function emulatorPinOf(def: DomainDef): number[] | undefined {
  const el = pinElements(def, "emulatorpin")[0];
  return el ? parseBitmap(el.attributes.cpuset ?? "") : undefined;
}

/**
 * Sets the `<emulatorpin>` mask.
 *
 * @example
 * ```ts
 * import { writeEmulatorPin } from "./cputune.ts";
 * import type { DomainDef } from "../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * writeEmulatorPin(def, [0]); // <emulatorpin cpuset='0'/>
 * ```
 */
export function writeEmulatorPin(def: DomainDef, cpus: number[]): void {
  replacePins(def, "emulatorpin", [{
    type: "element",
    name: "emulatorpin",
    attributes: { cpuset: formatBitmap(cpus) },
    children: [],
  }]);
}
