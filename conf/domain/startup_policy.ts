/**
 * A source's `startupPolicy` (libvirt's `virDomainStartupPolicy`): what a start does when a
 * disk's image or a USB device is missing. `mandatory` fails, `requisite` fails a cold boot and
 * drops the source on a restore or an incoming migration, `optional` drops it always (a disk
 * that is no cdrom or floppy only on a cold boot). `virDomainDiskDefValidateStartupPolicy` limits
 * where a disk may have one.
 *
 * @example
 * ```ts
 * import { validateDiskStartupPolicy } from "./startup_policy.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * validateDiskStartupPolicy(parse(
 *   "<disk type='file' device='disk'><source file='/a.img' startupPolicy='requisite'/></disk>",
 * )); // throws "XML error: disk startupPolicy 'requisite' is allowed only for cdrom or floppy"
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { child, type XmlElement } from "../../util/xml/mod.ts";

/** The values of `startupPolicy` (its "default" is written by leaving it out). */
export const STARTUP_POLICIES = ["mandatory", "requisite", "optional"] as const;

/** A `startupPolicy` value. */
export type StartupPolicy = (typeof STARTUP_POLICIES)[number];

/** The disk types whose source is a local path (`virStorageSourceIsLocalStorage`). */
const LOCAL_TYPES = ["file", "block", "dir"];

/**
 * Throws libvirt's error where a disk may not have its startup policy: on a source that is no
 * local path (a volume passes, as libvirt checks it once translated), or `requisite` on a disk
 * that is no cdrom or floppy.
 */
export function validateDiskStartupPolicy(disk: XmlElement): void {
  const policy = child(disk, "source")?.attributes.startupPolicy;
  if (policy === undefined) return;
  const { type = "file", device = "disk" } = disk.attributes;
  if (type !== "volume" && !LOCAL_TYPES.includes(type)) {
    throw VirError.report(
      "DOMAIN",
      "XML_ERROR",
      `disk startupPolicy '${policy}' is not allowed for disk of '${type}' type`,
    );
  }
  if (device !== "cdrom" && device !== "floppy" && policy === "requisite") {
    throw VirError.report(
      "DOMAIN",
      "XML_ERROR",
      "disk startupPolicy 'requisite' is allowed only for cdrom or floppy",
    );
  }
}
