/**
 * The virtio options of a device's `<driver>` as QEMU properties (qemuBuildVirtioOptionsStr).
 *
 * @module
 */
import type { XmlElement } from "../../../util/xml/mod.ts";
import { optValue } from "./escape.ts";

/** virtio `<driver>` attributes and the QEMU properties they set. */
const VIRTIO_OPTIONS: [string, string][] = [
  ["iommu", "iommu_platform"],
  ["ats", "ats"],
  ["packed", "packed"],
  ["page_per_vq", "page-per-vq"],
];

/**
 * `,iommu_platform=on,…` for the virtio options a device's `<driver>` sets.
 *
 * @example
 * ```ts
 * import { virtioOptions } from "./virtio_options.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * virtioOptions(parse("<driver iommu='on' packed='off'/>")); // ",iommu_platform=on,packed=off"
 * ```
 */
export function virtioOptions(driver: XmlElement | undefined): string {
  return VIRTIO_OPTIONS.map(([attr, prop]) => {
    const v = driver?.attributes[attr];
    return v === undefined ? "" : `,${prop}=${optValue(v)}`;
  }).join("");
}

/**
 * The same options as `device_add` properties (libvirt's `T:` booleans), for a device plugged
 * into a running QEMU.
 *
 * @example
 * ```ts
 * import { virtioProps } from "./virtio_options.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * virtioProps(parse("<driver iommu='on'/>")); // { iommu_platform: true }
 * ```
 */
export function virtioProps(driver: XmlElement | undefined): Record<string, boolean> {
  return Object.fromEntries(
    VIRTIO_OPTIONS.flatMap(([attr, prop]) => {
      const v = driver?.attributes[attr];
      return v === undefined ? [] : [[prop, v === "on"]];
    }),
  );
}
