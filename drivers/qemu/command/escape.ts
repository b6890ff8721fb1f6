/**
 * QEMU's option syntax: `key=value,key=value`, where a literal comma inside a value is
 * written twice. Every user-controlled string goes through {@link optValue}, so a name or
 * path can never inject another option.
 *
 * @module
 */

/**
 * A value safe to place after `key=` in a QEMU option string.
 *
 * @example
 * ```ts
 * import { optValue } from "./escape.ts";
 * optValue("/var/a,b.img"); // "/var/a,,b.img"
 * ```
 */
export function optValue(value: string): string {
  return value.replaceAll(",", ",,");
}

/**
 * A `-device` value from `device_add`-style properties: the driver, then each property, a
 * boolean as `on`/`off`, every value escaped.
 *
 * @example
 * ```ts
 * import { keyvalDevice } from "./escape.ts";
 * keyvalDevice({ driver: "virtio-rng-pci", iommu_platform: false, id: "rng0" });
 * // "virtio-rng-pci,iommu_platform=off,id=rng0"
 * ```
 */
export function keyvalDevice(props: Record<string, unknown>): string {
  const { driver, ...rest } = props;
  const value = (v: unknown) => v === true ? "on" : v === false ? "off" : optValue(String(v));
  return [optValue(String(driver)), ...Object.entries(rest).map(([k, v]) => `${k}=${value(v)}`)]
    .join(",");
}
