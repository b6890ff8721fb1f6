/**
 * virDomainDiskDefValidate's checks of SCSI passthrough (`device='lun'`): unfiltered SG_IO is
 * gone, a LUN is a raw, unencrypted host block device, volume or iSCSI source
 * (virDomainDiskDefSourceLUNValidate), and `sgio`, `rawio` and `<reservations>` belong to LUNs
 * alone.
 *
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { child, type XmlElement } from "../../util/xml/mod.ts";

const unsupported = (message: string) => VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", message);

/**
 * Throws libvirt's error for the first SG_IO or LUN rule `disk` breaks.
 *
 * @example
 * ```ts
 * import { validateDiskLun } from "./disk_lun.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * validateDiskLun(parse("<disk type='file' device='lun'><source file='/a'/></disk>"));
 * // throws "unsupported configuration: disk device='lun' is only valid for block type disk source"
 * ```
 */
export function validateDiskLun(disk: XmlElement): void {
  const { type = "file", device = "disk", sgio, rawio } = disk.attributes;
  const source = child(disk, "source");
  if (sgio === "unfiltered") throw unsupported("unfiltered sgio is no longer supported");
  if (device === "lun") {
    const protocol = source?.attributes.protocol;
    if (type === "network" && protocol !== "iscsi") {
      throw unsupported(`disk device='lun' is not supported for protocol='${protocol}'`);
    }
    if (type !== "network" && type !== "block" && type !== "volume") {
      throw unsupported("disk device='lun' is only valid for block type disk source");
    }
    const format = child(disk, "driver")?.attributes.type;
    if (format !== undefined && format !== "raw") {
      throw unsupported("disk device 'lun' must use 'raw' format");
    }
    if (child(source, "slices")) {
      throw unsupported("disk device 'lun' doesn't support storage slice");
    }
    const encryption = child(source, "encryption") ?? child(disk, "encryption");
    if (encryption && (encryption.attributes.format ?? "default") !== "default") {
      throw unsupported("disk device 'lun' doesn't support encryption");
    }
    return;
  }
  if (child(source, "reservations")) {
    throw unsupported("<reservations/> allowed only for lun devices");
  }
  if (rawio !== undefined) throw unsupported("rawio can be used only with device='lun'");
  if (sgio !== undefined) throw unsupported("sgio can be used only with device='lun'");
}
