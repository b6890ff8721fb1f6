/**
 * The start's check of the security labels a definition asks for (libvirt's
 * `virSecurityManagerCheckAllLabel`, run by `qemuProcessStartValidate`): edgevirt's QEMU driver
 * runs no security driver but `none` (its capabilities say so), so a disk source's label for any
 * other model would be ignored; libvirt refuses such a start, and so does edgevirt.
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { VirError } from "../../util/errors.ts";
import { child, children } from "../../util/xml/mod.ts";

/** The security driver models the QEMU driver runs (`virSecurityManagerGetNested`). */
const MODELS = ["none"];

/**
 * Throws libvirt's error for the first disk source label (a disk's own source, not its chain's,
 * as libvirt checks) whose model the driver does not run.
 *
 * @example
 * ```ts
 * import { checkDiskLabels } from "./security_labels.ts";
 * import type { DomainDef } from "../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * checkDiskLabels(def); // "Security driver model 'selinux' is not available" for an SELinux label
 * ```
 */
export function checkDiskLabels(def: DomainDef): void {
  for (const disk of def.devices.other.filter((d) => d.name === "disk")) {
    for (const label of children(child(disk, "source"), "seclabel")) {
      const model = label.attributes.model;
      if (model !== undefined && MODELS.includes(model)) continue;
      throw VirError.report(
        "SECURITY",
        "CONFIG_UNSUPPORTED",
        `Security driver model '${model ?? "(null)"}' is not available`,
      );
    }
  }
}
