/**
 * `qemuValidateDomainDeviceDefDiskTransient` of libvirt 9.0: a `<transient/>` disk is started on
 * a qcow2 overlay over its image, so it must be a writable local file image of a hard disk; one
 * that shares its backing image (`shareBacking='yes'`) is plugged after start, so only on a bus
 * that hotplugs.
 *
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { child, type XmlElement } from "../../util/xml/mod.ts";

/** The buses libvirt can hotplug a disk sharing its backing image on. */
const SHARE_BACKING_BUSES = new Set(["usb", "virtio", "scsi"]);

/** What names a disk's medium, by disk type (`virStorageSourceIsEmpty` is true without). */
const SOURCE_KEYS = ["file", "dev", "dir", "protocol", "pool", "path"];

/** libvirt's refusals, in its order: the first that applies is reported. */
const RULES: { refuses: (disk: XmlElement) => boolean; message: (disk: XmlElement) => string }[] = [
  {
    refuses: (d) => !SOURCE_KEYS.some((k) => child(d, "source")?.attributes[k]),
    message: (d) => `transient disk '${dst(d)}' must not be empty`,
  },
  {
    // The parser makes every cdrom read-only.
    refuses: (d) => !!child(d, "readonly") || d.attributes.device === "cdrom",
    message: (d) => `transient disk '${dst(d)}' must not be read-only`,
  },
  {
    // A volume's pool is not looked up at define: its actual type is still 'volume'.
    refuses: (d) => (d.attributes.type ?? "file") !== "file",
    message: (d) => `transient disk supported only with 'file' type (${dst(d)})`,
  },
  {
    refuses: (d) => (d.attributes.device ?? "disk") !== "disk",
    message: (d) => `transient disk supported only with 'disk' device (${dst(d)})`,
  },
  {
    refuses: (d) =>
      shareBacking(d) && !SHARE_BACKING_BUSES.has(child(d, "target")?.attributes.bus ?? ""),
    // libvirt's typo ("transiend") is its message.
    message: (d) =>
      `disk bus '${
        child(d, "target")?.attributes.bus
      }' doesn't support transiend disk backing image sharing`,
  },
];

const dst = (disk: XmlElement) => child(disk, "target")?.attributes.dev ?? "";

/**
 * Whether a disk is `<transient shareBacking='yes'/>` (plugged after start by libvirt).
 *
 * @example
 * ```ts
 * import { shareBacking } from "./disk_transient_validate.ts";
 * import { element } from "../../util/xml/mod.ts";
 * shareBacking(element("disk", {}, [element("transient", { shareBacking: "yes" })])); // true
 * ```
 */
export function shareBacking(disk: XmlElement): boolean {
  return child(disk, "transient")?.attributes.shareBacking === "yes";
}

/**
 * Refuses a `<transient/>` disk libvirt cannot start on an overlay, with its error
 * (VIR_ERR_CONFIG_UNSUPPORTED); any other disk passes.
 *
 * @example
 * ```ts
 * import { validateDiskTransient } from "./disk_transient_validate.ts";
 * import { element } from "../../util/xml/mod.ts";
 * validateDiskTransient(element("disk", { type: "block", device: "disk" }, [
 *   element("source", { dev: "/dev/sdb" }),
 *   element("target", { dev: "vda", bus: "virtio" }),
 *   element("transient", {}),
 * ])); // throws "unsupported configuration: transient disk supported only with 'file' type (vda)"
 * ```
 */
export function validateDiskTransient(disk: XmlElement): void {
  if (!child(disk, "transient")) return;
  const rule = RULES.find((r) => r.refuses(disk));
  if (rule) throw VirError.report("QEMU", "CONFIG_UNSUPPORTED", rule.message(disk));
}
