/**
 * virDomainCheckVirtioOptionsAreAbsent: the virtio `<driver>` options a device may only carry
 * when its model is a virtio one.
 *
 * @example
 * ```ts
 * import { checkVirtioOptionsAbsent } from "./virtio_options.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * checkVirtioOptionsAbsent(parse("<driver name='qemu'/>")); // passes
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { xmlPropEnum } from "../common/values.ts";

/** The options in libvirt's check order, with the wording of each message. */
const OPTIONS: [string, string][] = [
  ["iommu", "iommu driver option"],
  ["ats", "ats driver option"],
  ["packed", "packed driver option"],
  ["page_per_vq", "page_per_vq option"],
];

/** The virtio models of network interfaces, video and vsock devices. */
export const VIRTIO_MODELS = ["virtio", "virtio-transitional", "virtio-non-transitional"];

/** Throws libvirt's error for the first virtio option set on a non-virtio device's driver. */
export function checkVirtioOptionsAbsent(driver: XmlElement | undefined): void {
  for (const [attr, what] of OPTIONS) {
    if (driver?.attributes[attr] !== undefined) {
      throw VirError.report(
        "DOMAIN",
        "CONFIG_UNSUPPORTED",
        `${what} is only supported for virtio devices`,
      );
    }
  }
}

/**
 * virDomainVirtioOptionsParseXML: each virtio option of a device's `<driver>` is `on` or `off`
 * (virXMLPropTristateSwitch, VIR_FROM_XML errors), read in libvirt's order.
 *
 * @example
 * ```ts
 * import { checkVirtioOptions } from "./virtio_options.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * checkVirtioOptions(parse("<driver iommu='on'/>")); // passes
 * ```
 */
export function checkVirtioOptions(driver: XmlElement | undefined): void {
  for (const [attr] of OPTIONS) if (driver) xmlPropEnum(driver, attr, ["on", "off"]);
}
