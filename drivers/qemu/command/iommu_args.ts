/**
 * The IOMMU as libvirt 9.0 starts it on x86 (`qemuBuildIOMMUCommandLine`): Intel's VT-d
 * (`intel-iommu`, q35 only) with its interrupt remapping, caching mode, extended interrupts,
 * device IOTLB and address width; before any PCI device, which it must see plugged.
 *
 * @module
 */
import { definedProps, switchBool } from "../json_props.ts";
import type { DomainDef } from "../../../conf/domain/def.ts";
import { child, type XmlElement } from "../../../util/xml/mod.ts";
import { VirError } from "../../../util/errors.ts";
import { isQ35 } from "../default_devices.ts";
import { keyvalDevice } from "./escape.ts";
import { unsupportedDevice } from "./unsupported.ts";

/**
 * qemuValidateDomainDeviceDefIOMMU's machine checks, and a virtio IOMMU's ACPI and address.
 *
 * @example
 * ```ts
 * import { validateIommu } from "./iommu_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * import { parseDomainXML } from "../../../conf/domain/mod.ts";
 * const def = parseDomainXML(
 *   "<domain type='qemu'><name>a</name><memory>8192</memory>" +
 *     "<os><type machine='pc-q35-7.2'>hvm</type></os></domain>",
 * );
 * validateIommu(def, parse("<iommu model='intel'/>"));
 * ```
 */
export function validateIommu(def: DomainDef, iommu: XmlElement): void {
  const model = iommu.attributes.model;
  const machines: Record<string, [boolean, string]> = {
    intel: [isQ35(def), "Q35 machines"],
    smmuv3: [false, "ARM Virt machines"],
    virtio: [isQ35(def), "Q35 and ARM Virt machines"],
  };
  const [fits, what] = machines[model] ?? [true, ""];
  const refuse = (why: string) =>
    VirError.report("QEMU", "CONFIG_UNSUPPORTED", `IOMMU device: '${model}' ${why}`);
  if (!fits) throw refuse(`is only supported with ${what}`);
  if (model !== "virtio") return;
  const acpi = child(def.sections.find((s) => s.name === "features"), "acpi");
  if (!acpi || acpi.attributes.state === "off") throw refuse("requires ACPI");
  const type = child(iommu, "address")?.attributes.type;
  if (type !== undefined && type !== "pci") throw refuse("needs a PCI address");
}

/** A `yes`/`on` … attribute as QEMU's on/off (qemuOnOffAuto), absent when unset. */
const onOff = (v: string | undefined) => v === undefined ? undefined : v === "on" ? "on" : "off";

/**
 * The `-device` of an `<iommu>`.
 *
 * @example
 * ```ts
 * import { iommuArgs } from "./iommu_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * iommuArgs(parse("<iommu model='intel'><driver intremap='on'/><alias name='iommu0'/></iommu>"));
 * // ["-device", "intel-iommu,id=iommu0,intremap=on"]
 * ```
 */
export function iommuArgs(iommu: XmlElement): string[] {
  const alias = child(iommu, "alias")?.attributes.name;
  if (iommu.attributes.model !== "intel" || !alias) throw unsupportedDevice(iommu);
  const d = child(iommu, "driver")?.attributes ?? {};
  const props = definedProps({
    driver: "intel-iommu",
    id: alias,
    intremap: onOff(d.intremap),
    "caching-mode": switchBool(d.caching_mode),
    eim: onOff(d.eim),
    "device-iotlb": switchBool(d.iotlb),
    "aw-bits": d.aw_bits === undefined ? undefined : Number(d.aw_bits),
  });
  return ["-device", keyvalDevice(props)];
}
