/**
 * The IOThread checks of libvirt 9.0's `qemuValidateDomainDeviceDefDiskIOThreads`,
 * `qemuValidateCheckSCSIControllerIOThreads` and `qemuValidateDomainDeviceDefControllerAttributes`:
 * only virtio disks and virtio-scsi controllers (on PCI) run in an IOThread, and only in one the
 * definition has.
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { iothreadIdsOf, iothreadOf } from "../../conf/domain/iothreads.ts";
import { child, type XmlElement } from "../../util/xml/mod.ts";
import { unsupported } from "./command/unsupported.ts";

const VIRTIO_SCSI = new Set(["virtio-scsi", "virtio-transitional", "virtio-non-transitional"]);

/**
 * Refuses the definition's disks and controllers whose `<driver iothread>` QEMU cannot honour
 * (see {@link validateIOThreadUser}).
 *
 * @example
 * ```ts
 * import { validateIOThreadUsers } from "./iothread_validate.ts";
 * import { parseDomainXML } from "../../conf/domain/mod.ts";
 * validateIOThreadUsers(parseDomainXML(
 *   "<domain type='qemu'><name>a</name><memory>8192</memory><os><type>hvm</type></os>" +
 *     "<devices><disk type='file'><driver name='qemu' iothread='1'/><source file='/a'/>" +
 *     "<target dev='vda' bus='virtio'/></disk></devices></domain>",
 * )); // throws "unsupported configuration: Disk iothread '1' not defined in iothreadid"
 * ```
 */
export function validateIOThreadUsers(def: DomainDef): void {
  for (const dev of def.devices.other) validateIOThreadUser(def, dev);
}

/**
 * Refuses a disk or controller whose `<driver iothread>` QEMU cannot honour in `def`, with
 * libvirt's error (`VIR_ERR_CONFIG_UNSUPPORTED`).
 *
 * @example
 * ```ts
 * import { validateIOThreadUser } from "./iothread_validate.ts";
 * import { element } from "../../util/xml/mod.ts";
 * import type { DomainDef } from "../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * validateIOThreadUser(def, element("controller", { type: "usb" }, [
 *   element("driver", { iothread: "1" }),
 * ])); // throws "unsupported configuration: 'iothread' is only supported for virtio-scsi controller"
 * ```
 */
export function validateIOThreadUser(def: DomainDef, dev: XmlElement): void {
  const id = iothreadOf(dev);
  if (!id) return;
  const known = () => iothreadIdsOf(def).includes(id);
  if (dev.name === "disk") {
    const target = child(dev, "target")?.attributes;
    const bus = target?.bus ?? "virtio";
    if (bus !== "virtio") {
      throw unsupported(`IOThreads not available for bus ${bus} target ${target?.dev}`);
    }
    if (!known()) throw unsupported(`Disk iothread '${id}' not defined in iothreadid`);
  } else if (dev.name === "controller") {
    const { type, model } = dev.attributes;
    // A SCSI controller without a model is the virtio-scsi one the command line starts.
    if (type !== "scsi" || !VIRTIO_SCSI.has(model ?? "virtio-scsi")) {
      throw unsupported("'iothread' is only supported for virtio-scsi controller");
    }
    const address = child(dev, "address")?.attributes.type;
    if (address && address !== "pci" && address !== "ccw") {
      throw unsupported(
        "virtio-scsi IOThreads only available for virtio pci and virtio ccw controllers",
      );
    }
    if (!known()) throw unsupported(`controller iothread '${id}' not defined in iothreadid`);
  }
}
