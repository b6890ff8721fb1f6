/**
 * The `computer` device: libvirt's `udevSetupSystemDev` with the DMI data of
 * `/sys/devices/virtual/dmi/id` (x86 only, as libvirt reads it only there). Without DMI the
 * hardware UUID stays all zeros, as libvirt leaves it.
 *
 * @module
 */
import type { HostDevDef, SystemCap } from "./device_def.ts";
import type { Sysfs } from "../../util/sysfs.ts";
import { generateUUID, parseUUID } from "../../util/uuid.ts";

const DMI = "/sys/devices/virtual/dmi/id";
const ZERO_UUID = "00000000-0000-0000-0000-000000000000";

/**
 * `virGetHostUUID`: the DMI product UUID, lower case, when it parses (even a firmware
 * placeholder of one repeated digit, which libvirt keeps once parsed), else a random one.
 */
function hostUUID(sys: Sysfs): string {
  const raw = sys.attr(DMI, "product_uuid");
  return (raw === undefined ? undefined : parseUUID(raw)) ?? generateUUID();
}

/**
 * The `computer` device.
 *
 * @example
 * ```ts
 * import { computerDevice } from "./system.ts";
 * import { Sysfs } from "../../util/sysfs.ts";
 * computerDevice(new Sysfs()).name; // "computer"
 * ```
 */
export function computerDevice(sys: Sysfs, arch: string = Deno.build.arch): HostDevDef {
  const cap: SystemCap = { type: "system", hardware: { uuid: ZERO_UUID }, firmware: {} };
  if (arch === "x86_64" && sys.exists(`${DMI}/uevent`)) {
    const get = (name: string) => sys.attr(DMI, name) || undefined;
    cap.product = get("product_name");
    cap.hardware = {
      vendor: get("sys_vendor"),
      version: get("product_version"),
      serial: get("product_serial"),
      uuid: hostUUID(sys),
    };
    cap.firmware = {
      vendor: get("bios_vendor"),
      version: get("bios_version"),
      releaseDate: get("bios_date"),
    };
  }
  return { name: "computer", devlinks: [], caps: [cap] };
}
