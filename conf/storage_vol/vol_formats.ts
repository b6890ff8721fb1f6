import type { PoolType } from "../storage_pool/mod.ts";

/** Image formats a file-based pool's volumes may have in libvirt 9.0 (`raw` is the default). */
const FILE_FORMATS = [
  "raw",
  "dir",
  "bochs",
  "cloop",
  "dmg",
  "iso",
  "vpc",
  "vdi",
  "fat",
  "vhd",
  "ploop",
  "cow",
  "qcow",
  "qcow2",
  "qed",
  "vmdk",
] as const;

/** Partition types of a disk pool's volumes (`none` is the default). */
const PARTITION_FORMATS = [
  "none",
  "linux",
  "fat16",
  "fat32",
  "linux-swap",
  "linux-lvm",
  "linux-raid",
  "extended",
] as const;

/**
 * The `<format type>` values volumes of a pool type accept, default first; undefined when the
 * pool type's volumes have no format (libvirt's volOptions of poolTypeInfo).
 *
 * @example
 * ```ts
 * import { volumeFormats } from "./vol_formats.ts";
 * volumeFormats("dir")?.[0]; // "raw"
 * volumeFormats("iscsi"); // undefined
 * ```
 */
export function volumeFormats(poolType: PoolType): readonly string[] | undefined {
  switch (poolType) {
    case "dir":
    case "fs":
    case "netfs":
    case "gluster":
    case "vstorage":
      return FILE_FORMATS;
    case "disk":
      return PARTITION_FORMATS;
    default:
      return undefined;
  }
}
