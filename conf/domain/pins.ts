/**
 * vCPU and emulator pinning as libvirt keeps it: in the definition (`def->vcpus[i]->cpumask`,
 * `def->cputune.emulatorpin`), read from and written back into `<cputune>` so the XML prints
 * `<vcpupin>` / `<emulatorpin>` where and how libvirt does, follows the live/persistent split
 * and is read back from a defined XML. Every driver pins through these.
 *
 * @module
 */
import type { DomainDef } from "./def.ts";
import { formatBitmap, parseBitmap } from "./bitmap.ts";
import { elementSpec } from "./schema.ts";
import type { XmlElement } from "../../util/xml/mod.ts";

const pinElements = (def: DomainDef, name: string): XmlElement[] =>
  cputuneOf(def)?.children.filter((c): c is XmlElement =>
    c.type === "element" && c.name === name
  ) ?? [];

/** A pin element (`<vcpupin>`, `<emulatorpin>`, `<iothreadpin>`). */
const pinElement = (name: string, attributes: Record<string, string>): XmlElement => ({
  type: "element",
  name,
  attributes,
  children: [],
});

function cputuneOf(def: DomainDef): XmlElement | undefined {
  return def.sections.find((s) => s.name === "cputune");
}

/**
 * Replaces every `name` child of `<cputune>` with `pins`, keeping libvirt's child order, and
 * drops a `<cputune>` left empty (libvirt prints none then).
 *
 * @example
 * ```ts
 * import { replacePins } from "./pins.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * replacePins(def, "emulatorpin", []); // no <emulatorpin> any more
 * ```
 */
export function replacePins(def: DomainDef, name: string, pins: XmlElement[]): void {
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
 * import { vcpuPinsOf } from "./pins.ts";
 * import type { DomainDef } from "./def.ts";
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
 * import { writeVcpuPins } from "./pins.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * writeVcpuPins(def, [undefined, [0, 1]]); // <vcpupin vcpu='1' cpuset='0-1'/>
 * ```
 */
export function writeVcpuPins(def: DomainDef, masks: (number[] | undefined)[]): void {
  const pins = masks.flatMap((cpus, vcpu) =>
    cpus ? [pinElement("vcpupin", { vcpu: String(vcpu), cpuset: formatBitmap(cpus) })] : []
  );
  replacePins(def, "vcpupin", pins);
}

/**
 * The `<emulatorpin>` mask, if any.
 *
 * @example
 * ```ts
 * import { emulatorPinOf } from "./pins.ts";
 * import type { DomainDef } from "./def.ts";
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
 * import { writeEmulatorPin } from "./pins.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * writeEmulatorPin(def, [0]); // <emulatorpin cpuset='0'/>
 * ```
 */
export function writeEmulatorPin(def: DomainDef, cpus: number[]): void {
  replacePins(def, "emulatorpin", [pinElement("emulatorpin", { cpuset: formatBitmap(cpus) })]);
}

/**
 * Pins one vCPU, keeping the other `<vcpupin>`s of the definition (vCPUs up to its maximum).
 *
 * @example
 * ```ts
 * import { setVcpuPin } from "./pins.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * setVcpuPin(def, 0, [0, 2]); // <vcpupin vcpu='0' cpuset='0,2'/>
 * ```
 */
export function setVcpuPin(def: DomainDef, vcpu: number, cpus: number[]): void {
  const pins = vcpuPinsOf(def);
  pins.set(vcpu, cpus);
  writeVcpuPins(def, Array.from({ length: def.vcpu.max }, (_, i) => pins.get(i)));
}

/**
 * The `<iothreadpin>` masks of a definition, by IOThread id.
 *
 * @example
 * ```ts
 * import { iothreadPinsOf } from "./pins.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * iothreadPinsOf(def).get(1); // [0] for <iothreadpin iothread='1' cpuset='0'/>
 * ```
 */
export function iothreadPinsOf(def: DomainDef): Map<number, number[]> {
  return new Map(
    pinElements(def, "iothreadpin").map((
      el,
    ) => [Number(el.attributes.iothread), parseBitmap(el.attributes.cpuset ?? "")]),
  );
}

/**
 * Writes the IOThread masks as `<iothreadpin>` elements, in the order of `ids` (libvirt's
 * iothreadids order); ids without a mask get none.
 *
 * @example
 * ```ts
 * import { writeIothreadPins } from "./pins.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * writeIothreadPins(def, [1], new Map([[1, [0, 1]]])); // <iothreadpin iothread='1' cpuset='0-1'/>
 * ```
 */
export function writeIothreadPins(
  def: DomainDef,
  ids: number[],
  masks: Map<number, number[]>,
): void {
  const pins = ids.flatMap((id) => {
    const cpus = masks.get(id);
    return cpus
      ? [pinElement("iothreadpin", { iothread: String(id), cpuset: formatBitmap(cpus) })]
      : [];
  });
  replacePins(def, "iothreadpin", pins);
}
