/**
 * libvirt 9.0's `qemuDomainValidateStorageSource`, run at define for a disk's source and each
 * member of its backing chain: the image formats QEMU does not open directly, a directory's FAT
 * image, TFTP (gone since QEMU 2.8), NFS host rules, the metadata cache bound (qcow2 only), the
 * encryption formats and engines, and `tlsHostname` (NBD only).
 *
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { child, children, type XmlElement } from "../../util/xml/mod.ts";

/** One image of a disk's chain as the check sees it. */
export interface StorageSource {
  /** The storage type (`file`, `block`, `network`, …). */
  type: string;
  /** The image format (`raw`, `qcow2`, …), if one is named. */
  format?: string;
  /** The element holding the format's `<metadata_cache>` (the disk's driver, a member's format). */
  formatEl?: XmlElement;
  source?: XmlElement;
  encryption?: XmlElement;
  readonly: boolean;
}

/**
 * The images of `disk`, top first: its own source (with the disk's or the source's encryption)
 * and each `<backingStore>` member with a type.
 *
 * @example
 * ```ts
 * import { diskStorageSources } from "./storage_source_validate.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * diskStorageSources(parse("<disk type='file'><driver type='qcow2'/><source file='/a'/></disk>"))[0]
 *   .format; // "qcow2"
 * ```
 */
export function diskStorageSources(disk: XmlElement): StorageSource[] {
  const driver = child(disk, "driver");
  const source = child(disk, "source");
  const out: StorageSource[] = [{
    type: disk.attributes.type ?? "file",
    format: driver?.attributes.type,
    formatEl: driver,
    source,
    encryption: child(disk, "encryption") ?? child(source, "encryption"),
    readonly: disk.attributes.device === "cdrom" || child(disk, "readonly") !== undefined,
  }];
  for (let b = child(disk, "backingStore"); b?.attributes.type; b = child(b, "backingStore")) {
    const format = child(b, "format");
    const src = child(b, "source");
    out.push({
      type: b.attributes.type,
      format: format?.attributes.type,
      formatEl: format,
      source: src,
      encryption: child(src, "encryption"),
      readonly: true,
    });
  }
  return out;
}

/**
 * Throws libvirt's error for the first rule `src` breaks.
 *
 * @example
 * ```ts
 * import { validateStorageSource } from "./storage_source_validate.ts";
 * validateStorageSource({ type: "file", format: "iso", readonly: true });
 * // throws "unsupported configuration: storage format 'iso' is not directly supported by QEMU, use 'raw' instead"
 * ```
 */
export function validateStorageSource(src: StorageSource): void {
  const { type, format, source } = src;
  if (format === "cow") unsupported("'cow' storage format is not supported");
  if (format === "dir") {
    unsupported(
      "'directory' storage format is not directly supported by QEMU, use 'dir' disk type instead",
    );
  }
  if (format === "iso") {
    unsupported("storage format 'iso' is not directly supported by QEMU, use 'raw' instead");
  }
  // A volume's actual type is its pool's, known only at start: left to the start.
  if (format === "fat" && type !== "volume" && type !== "dir") {
    unsupported("storage format 'fat' is supported only with 'dir' storage type");
  }
  if (type === "dir") {
    if (format !== undefined && format !== "fat") {
      unsupported("storage type 'dir' requires use of storage format 'fat'");
    }
    if (!src.readonly) unsupported("virtual FAT storage can't be accessed in read-write mode");
  }
  const protocol = type === "network" ? source?.attributes.protocol : undefined;
  if (protocol === "tftp") unsupported("'tftp' protocol is not supported with this QEMU binary");
  if (protocol === "nfs") {
    const hosts = children(source, "host");
    if (hosts.length !== 1) unsupported("'nfs' protocol requires the usage of exactly one host");
    if ((hosts[0].attributes.transport ?? "tcp") !== "tcp") {
      unsupported("'nfs' host must use TCP protocol");
    }
    if (Number(hosts[0].attributes.port ?? 0) !== 0) {
      unsupported("port cannot be specified in 'nfs' protocol host");
    }
  }
  if (child(src.formatEl, "metadata_cache") && format !== "qcow2") {
    unsupported("metadata cache max size control is supported only with qcow2 images");
  }
  const enc = src.encryption?.attributes;
  if (enc) {
    const encFormat = enc.format ?? "default";
    if (encFormat === "default" || encFormat === "qcow") {
      unsupported("old qcow/qcow2 encryption is not supported");
    }
    // libvirt's test of a network source reads "not network and not RBD": any network passes.
    if (enc.engine === "librbd" && type !== "network") {
      unsupported("librbd encryption is supported only with RBD backed disks");
    }
    if ((enc.engine ?? "qemu") === "qemu") {
      if (encFormat === "luks2") {
        unsupported("luks2 is currently not supported by the qemu encryption engine");
      }
      if (format !== "qcow2" && format !== "raw") {
        unsupported("encryption is supported only with 'raw' and 'qcow2' image format");
      }
    }
  }
  if (source?.attributes.tlsHostname !== undefined && protocol !== "nbd") {
    unsupported("'tlsHostname' field is supported only with NBD disks");
  }
}

function unsupported(message: string): never {
  throw VirError.report("QEMU", "CONFIG_UNSUPPORTED", message);
}
