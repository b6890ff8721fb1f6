/**
 * The disk frontend checks of libvirt 9.0's `qemuValidateDomainDeviceDefDiskFrontend` that
 * edgevirt would otherwise let through to QEMU: the IDE and SATA frontends of a `device='disk'`
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
  if ((disk.attributes.device ?? "disk") !== "disk" || !child(disk, "readonly")) return;
  const bus = child(disk, "target")?.attributes.bus;
  if (bus === "ide" || bus === "sata") {
    throw VirError.report(
      "QEMU",
      "CONFIG_UNSUPPORTED",
      `readonly ${bus} disks are not supported`,
    );
  }
}
