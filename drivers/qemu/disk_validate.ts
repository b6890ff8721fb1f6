/**
 * The disk frontend checks of libvirt 9.0's `qemuValidateDomainDeviceDefDiskFrontend` that
 * edgevirt would otherwise let through to QEMU: copy-on-read needs a writable, fixed disk; a
 * `device='lun'` is a virtio or SCSI frontend without copy-on-read; QEMU has no TFTP client
 * and bounds only a qcow2 image's metadata cache (`qemuDomainValidateStorageSource`); the IDE and SATA frontends of a `device='disk'`
 * (`ide-hd`) have no read-only mode.
 *
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { child, type XmlElement } from "../../util/xml/mod.ts";

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
  const device = disk.attributes.device ?? "disk";
  const bus = child(disk, "target")?.attributes.bus;
  const dst = child(disk, "target")?.attributes.dev;
  const readonly = child(disk, "readonly") !== undefined;
  if (child(disk, "driver")?.attributes.copy_on_read === "on") {
    if (readonly) unsupported(`copy_on_read is not compatible with read-only disk '${dst}'`);
    if (device === "cdrom" || device === "floppy") {
      unsupported(`copy_on_read is not supported with removable disk '${dst}'`);
    }
  }
  if (device === "lun") {
    if (bus !== "virtio" && bus !== "scsi") {
      unsupported(`disk device='lun' is not supported for bus='${bus}'`);
    }
    if (child(disk, "driver")?.attributes.copy_on_read === "on") {
      unsupported(`copy_on_read is not compatible with 'lun' disk '${dst}'`);
    }
  }
  // qemuDomainValidateStorageSource: QEMU dropped TFTP in 2.8.
  if (disk.attributes.type === "network" && child(disk, "source")?.attributes.protocol === "tftp") {
    unsupported("'tftp' protocol is not supported with this QEMU binary");
  }
  // qemuDomainValidateStorageSource, for the disk's source and each member of its chain: QEMU
  // bounds the metadata cache of qcow2 images only.
  const sources: [XmlElement | undefined, string | undefined][] = [
    [child(disk, "driver"), child(disk, "driver")?.attributes.type],
  ];
  for (let b = child(disk, "backingStore"); b?.attributes.type; b = child(b, "backingStore")) {
    sources.push([child(b, "format"), child(b, "format")?.attributes.type]);
  }
  for (const [el, format] of sources) {
    if (child(el, "metadata_cache") && format !== "qcow2") {
      unsupported("metadata cache max size control is supported only with qcow2 images");
    }
  }
  if (device === "disk" && readonly && (bus === "ide" || bus === "sata")) {
    unsupported(`readonly ${bus} disks are not supported`);
  }
}

function unsupported(message: string): never {
  throw VirError.report("QEMU", "CONFIG_UNSUPPORTED", message);
}
