/**
 * libvirt 9.0's virDomainControllerDefValidate: a PCI root has no address, indexes up to 255,
 * the target's chassis, port, bus number and target index in their ranges, no NUMA node for
 * the PCI root.
 *
 * @example
 * ```ts
 * import { validateController } from "./controller_validate.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * validateController(parse("<controller type='pci' index='256' model='pci-bridge'/>"));
 * // throws "unsupported configuration: PCI controller index 256 too high, maximum is 255"
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { child, type XmlElement } from "../../util/xml/mod.ts";

const unsupported = (message: string) => VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", message);

/** Each `<target>` number's range and name in libvirt's messages, in its order of checks. */
const RANGES: [attr: string, min: number, max: number][] = [
  ["chassisNr", 1, 255],
  ["chassis", 0, 255],
  ["port", 0, 255],
  ["busNr", 1, 254],
];

/**
 * Throws libvirt's error for a PCI controller libvirt refuses; other controllers pass.
 *
 * @example
 * ```ts
 * import { validateController } from "./controller_validate.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * validateController(parse("<controller type='pci' index='1' model='pci-bridge'><target chassisNr='0'/></controller>"));
 * // throws "PCI controller chassisNr '0' out of range - must be 1-255"
 * ```
 */
export function validateController(c: XmlElement): void {
  const { type, model } = c.attributes;
  if (type !== "pci") return;
  const idx = Number(c.attributes.index ?? 0);
  if ((model === "pci-root" || model === "pcie-root") && child(c, "address")) {
    throw unsupported("pci-root and pcie-root controllers should not have an address");
  }
  if (idx > 255) throw unsupported(`PCI controller index ${idx} too high, maximum is 255`);
  const target = child(c, "target");
  const t = target?.attributes ?? {};
  if (t.index !== undefined) {
    const ti = Number(t.index);
    if (ti < 0 || ti > 30) {
      throw unsupported(`PCI controller target index '${ti}' out of range - must be 0-30`);
    }
    if ((idx === 0) !== (ti === 0)) {
      throw unsupported(
        "Only the PCI controller with index 0 can have target index 0, and vice versa",
      );
    }
  }
  for (const [attr, min, max] of RANGES) {
    if (t[attr] === undefined) continue;
    const v = Number(t[attr]);
    if (v < min || v > max) {
      throw unsupported(`PCI controller ${attr} '${v}' out of range - must be ${min}-${max}`);
    }
  }
  if (child(target, "node") && idx === 0) {
    throw unsupported("The PCI controller with index=0 can't be associated with a NUMA node");
  }
}
