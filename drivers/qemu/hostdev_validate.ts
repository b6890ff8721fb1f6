/**
 * libvirt 9.0's `qemuValidateDomainDeviceDefHostdev` for an x86 QEMU 7.2 (which has vfio-pci
 * with its display and vhost-scsi, neither vfio-ccw nor vfio-ap): no capabilities-mode device,
 * no write filtering of a PCI device, no boot from a vhost-scsi or vfio-pci mediated device, a
 * display only for vfio-pci and, when on, with a graphics device; and
 * `qemuValidateDomainDeviceDefZPCIAddress`: no zPCI address on this binary.
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { VirError } from "../../util/errors.ts";
import { child, type XmlElement } from "../../util/xml/mod.ts";

const unsupported = (message: string) => VirError.report("QEMU", "CONFIG_UNSUPPORTED", message);

/** The mediated device models QEMU 7.2 for x86 lacks, by the error libvirt gives. */
const MISSING_MDEV: Record<string, string> = {
  "vfio-ccw": "VFIO CCW device assignment is not supported by this version of QEMU",
  "vfio-ap": "VFIO AP device assignment is not supported by this version of QEMU",
};

/**
 * Throws libvirt's error for a `<hostdev>` this QEMU cannot give the guest as described.
 *
 * @example
 * ```ts
 * import { validateQemuHostdev } from "./hostdev_validate.ts";
 * import type { DomainDef } from "../../conf/domain/def.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * declare const def: DomainDef;
 * validateQemuHostdev(def, parse("<hostdev mode='capabilities' type='storage'/>"));
 * // throws "hostdev mode 'capabilities' is not supported in qemu"
 * ```
 */
export function validateQemuHostdev(def: DomainDef, dev: XmlElement): void {
  const { mode = "subsystem", type, model, display } = dev.attributes;
  if (mode === "capabilities") {
    throw unsupported(`hostdev mode 'capabilities' is not supported in ${def.type}`);
  }
  const boot = child(dev, "boot") !== undefined;
  if (type === "pci" && child(dev, "source")?.attributes.writeFiltering !== undefined) {
    throw unsupported("Write filtering of PCI device configuration space is not supported by qemu");
  }
  if (type === "scsi_host" && boot) {
    throw unsupported("booting from assigned devices is not supported by vhost SCSI devices");
  }
  if (type !== "mdev") return;
  if (MISSING_MDEV[model ?? ""]) throw unsupported(MISSING_MDEV[model!]);
  if (boot) {
    throw unsupported(
      "booting from assigned devices is not supported by mediated devices of model vfio-pci",
    );
  }
  if (display === "on" && !def.devices.other.some((d) => d.name === "graphics")) {
    throw unsupported("graphics device is needed for attribute value 'display=on' in <hostdev>");
  }
}

/**
 * `qemuValidateDomainDeviceDefZPCIAddress`: a PCI address with a zPCI part needs an s390 QEMU.
 *
 * @example
 * ```ts
 * import { validateZpci } from "./hostdev_validate.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * validateZpci(parse("<hostdev><address type='pci'><zpci uid='1'/></address></hostdev>"));
 * // throws "This QEMU binary doesn't support zPCI"
 * ```
 */
export function validateZpci(dev: XmlElement): void {
  if (child(child(dev, "address"), "zpci")) {
    throw unsupported("This QEMU binary doesn't support zPCI");
  }
}
