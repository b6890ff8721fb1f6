/**
 * The disk checks of libvirt 9.0's `qemuValidateDomainDeviceDefDisk` and its frontend part
 * (`qemuValidateDomainDeviceDefDiskFrontend`) that edgevirt would otherwise let through to
 * QEMU: ejectable media, copy-on-read, WWN, vendor and product by bus, `device='lun'`, the
 * address type each bus takes, read-only IDE/SATA hard disks, shared images, the driver name,
 * partitions in target names, then each image of the chain (`storage_source_validate.ts`).
 *
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { child, textOf, type XmlElement } from "../../util/xml/mod.ts";
import { diskStorageSources, validateStorageSource } from "./storage_source_validate.ts";
import type { DomainDef } from "../../conf/domain/def.ts";
import { IOTUNE_PARAMS, iotuneHasAny, iotuneOf } from "../../conf/domain/iotune.ts";

/**
 * Refuses a read-only IDE or SATA hard disk, with libvirt's error; cdroms and other buses pass.
 *
 * @example
 * ```ts
 * import { validateDiskFrontend } from "./disk_validate.ts";
 * import { element } from "../../util/xml/mod.ts";
 * validateDiskFrontend(element("disk", { device: "disk" }, [
 *   element("target", { dev: "hda", bus: "ide" }),
 *   element("readonly", {}),
 * ])); // throws "unsupported configuration: readonly ide disks are not supported"
 * ```
 */
export function validateDiskFrontend(disk: XmlElement): void {
  const has = (name: string) => child(disk, name) !== undefined;
  const device = disk.attributes.device ?? "disk";
  const bus = child(disk, "target")?.attributes.bus;
  const dst = child(disk, "target")?.attributes.dev;
  const readonly = child(disk, "readonly") !== undefined;
  const geometry = child(disk, "geometry")?.attributes ?? {};
  if (["cyls", "heads", "secs"].every((k) => Number(geometry[k] ?? 0) > 0)) {
    if (bus === "usb" || bus === "sd") unsupported(`CHS geometry can not be set for '${bus}' bus`);
    if (geometry.trans !== undefined && geometry.trans !== "default" && bus !== "ide") {
      unsupported(`CHS translation mode can only be set for 'ide' bus not '${bus}'`);
    }
  }
  if (has("serial") && bus === "sd") {
    internal(`Serial property not supported for drive bus '${bus}'`);
  }
  if (device === "cdrom" && (bus === "virtio" || bus === "sd")) {
    unsupported(`disk type of '${dst}' does not support ejectable media`);
  }
  if (child(disk, "driver")?.attributes.copy_on_read === "on") {
    if (readonly) unsupported(`copy_on_read is not compatible with read-only disk '${dst}'`);
    if (device === "cdrom" || device === "floppy") {
      unsupported(`copy_on_read is not supported with removable disk '${dst}'`);
    }
  }
  if (has("wwn") && bus !== "ide" && bus !== "scsi") {
    unsupported("Only ide and scsi disk support wwn");
  }
  if ((has("vendor") || has("product")) && bus !== "scsi") {
    unsupported("Only scsi disk supports vendor and product");
  }
  if (device === "lun") {
    if (bus !== "virtio" && bus !== "scsi") {
      unsupported(`disk device='lun' is not supported for bus='${bus}'`);
    }
    if (child(disk, "driver")?.attributes.copy_on_read === "on") {
      unsupported(`copy_on_read is not compatible with 'lun' disk '${dst}'`);
    }
    if (has("wwn")) unsupported("Setting wwn is not supported for lun device");
    if (has("vendor") || has("product")) {
      unsupported("Setting vendor or product is not supported for lun device");
    }
  }
  if (Number(child(disk, "target")?.attributes.rotation_rate ?? 0)) {
    if (bus !== "scsi" && bus !== "ide" && bus !== "sata") {
      internal("rotation rate is only valid for SCSI/IDE/SATA bus");
    }
    if (device !== "disk") internal("rotation rate is only valid for disk device");
  }
  const addressType = child(disk, "address")?.attributes.type;
  // The post-parse gives each such disk a drive address; a lone device (a hot-plug) has none yet.
  if (DRIVE_BUSES.includes(bus ?? "") && addressType !== undefined && addressType !== "drive") {
    internal(`unexpected address type for ${bus} disk`);
  }
  if (bus === "usb" && addressType !== undefined && addressType !== "usb") {
    internal("unexpected address type for usb disk");
  }
  if (device === "disk" && readonly && (bus === "ide" || bus === "sata")) {
    unsupported(`readonly ${bus} disks are not supported`);
  }
  const driver = child(disk, "driver")?.attributes ?? {};
  if (driver.io === "native" && driver.cache !== "directsync" && driver.cache !== "none") {
    unsupported("io='native' needs either no disk cache or directsync cache mode");
  }
  const serial = textOf(child(disk, "serial"));
  if (serial !== undefined && bus === "scsi" && device === "lun") {
    unsupported("scsi-block 'lun' devices do not support the serial property");
  }
  // QEMU_SERIAL_PARAM_ACCEPTED_CHARS: what QEMU's drive serial takes as it is.
  if (serial !== undefined && !/^[a-zA-Z0-9\-_ .+]*$/.test(serial)) {
    internal(`driver serial '${serial}' contains unsafe characters`);
  }
  // qemuValidateDomainDeviceDefDisk, after the frontend: shared images must be raw (the only
  // format QEMU lets two guests write), the driver is QEMU's, a target names a whole disk.
  const format = child(disk, "driver")?.attributes.type;
  if (has("shareable") && !readonly && format !== "raw") {
    unsupported(`shared access for disk '${dst}' requires use of supported storage format`);
  }
  const driverName = child(disk, "driver")?.attributes.name;
  if (driverName !== undefined && driverName !== "qemu") {
    unsupported(`unsupported driver name '${driverName}' for disk '${dst}'`);
  }
  const partition = diskNamePartition(dst ?? "");
  if (partition === undefined) unsupported(`invalid disk target '${dst}'`);
  if (partition !== 0) {
    unsupported(`invalid disk target '${dst}', partitions can't appear in disk targets`);
  }
  for (const src of diskStorageSources(disk)) validateStorageSource(src);
}

/** `QEMU_BLOCK_IOTUNE_MAX`: the largest throttle limit QEMU takes. */
export const IOTUNE_MAX = 1000000000000000;

/**
 * `qemuValidateDomainDeviceDefDiskBlkdeviotune`: a throttle group needs limits (QEMU ignores a
 * group alone), its disks throttle alike, and no limit exceeds QEMU's.
 *
 * @example
 * ```ts
 * import { validateDiskBlkdeviotune } from "./disk_validate.ts";
 * import type { DomainDef } from "../../conf/domain/def.ts";
 * import type { XmlElement } from "../../util/xml/mod.ts";
 * declare const def: DomainDef;
 * declare const disk: XmlElement;
 * validateDiskBlkdeviotune(disk, def);
 * ```
 */
export function validateDiskBlkdeviotune(disk: XmlElement, def: DomainDef): void {
  const info = iotuneOf(disk);
  const group = info.group_name;
  if (group && !iotuneHasAny(disk)) {
    unsupported("group_name can be configured only together with settings");
  }
  const dst = child(disk, "target")?.attributes.dev;
  if (group) {
    for (const d of def.devices.other.filter((o) => o.name === "disk")) {
      const other = iotuneOf(d);
      if (child(d, "target")?.attributes.dev === dst || other.group_name !== group) continue;
      if (IOTUNE_PARAMS.some((n) => other[n] !== info[n])) {
        unsupported(`different iotunes for disks ${dst} and ${child(d, "target")?.attributes.dev}`);
      }
    }
  }
  // The limits, the burst lengths aside.
  if (IOTUNE_PARAMS.some((n) => !n.endsWith("_length") && Number(info[n] || 0) > IOTUNE_MAX)) {
    throw VirError.report(
      "QEMU",
      "ARGUMENT_UNSUPPORTED",
      `block I/O throttle limit must be no more than ${IOTUNE_MAX} using QEMU`,
    );
  }
}

/** The buses whose disks sit at a `drive` address. */
const DRIVE_BUSES = ["scsi", "ide", "fdc", "sata"];

/**
 * virDiskNameParse's partition number of a target name (`vdb1` → 1, `vdb` → 0), or undefined
 * for a name it refuses.
 */
function diskNamePartition(name: string): number | undefined {
  const m = /^(?:fd|hd|vd|sd|xvd|ubd)[a-z]+([0-9]*)$/.exec(name);
  if (!m) return undefined;
  const digits = m[1];
  // No leading zero; virStrToLong_i bounds the number to an int.
  if (digits.length > 1 && digits.startsWith("0")) return undefined;
  const n = digits ? Number(digits) : 0;
  return n > 0x7fffffff ? undefined : n;
}

function internal(message: string): never {
  throw VirError.report("QEMU", "INTERNAL_ERROR", message);
}

function unsupported(message: string): never {
  throw VirError.report("QEMU", "CONFIG_UNSUPPORTED", message);
}
