/** The pool types of libvirt 9.0 (virStoragePoolType). */
export const POOL_TYPES = [
  "dir",
  "fs",
  "netfs",
  "logical",
  "disk",
  "iscsi",
  "iscsi-direct",
  "scsi",
  "mpath",
  "rbd",
  "sheepdog",
  "gluster",
  "zfs",
  "vstorage",
] as const;
/** A storage pool type. */
export type PoolType = typeof POOL_TYPES[number];

/** Which `<source>` parts a pool type uses (libvirt's VIR_STORAGE_POOL_SOURCE_* flags). */
export interface PoolTypeInfo {
  host?: boolean;
  device?: boolean;
  dir?: boolean;
  adapter?: boolean;
  name?: boolean;
  initiatorIqn?: boolean;
  /** Network pools (rbd, sheepdog, gluster, iscsi-direct) have no target. */
  network?: boolean;
  /** Source formats accepted, in libvirt's enum order (their numbers). */
  formats?: readonly string[];
  /** The default source format, when it is not the first. */
  defaultFormat?: string;
}

const FS_FORMATS = [
  "auto",
  "ext2",
  "ext3",
  "ext4",
  "ufs",
  "iso9660",
  "udf",
  "gfs",
  "gfs2",
  "vfat",
  "hfs+",
  "xfs",
  "ocfs2",
  "vmfs",
] as const;

/**
 * libvirt's poolTypeInfo table: what each pool type reads from and prints in `<source>`.
 *
 * @example
 * ```ts
 * import { POOL_TYPE_INFO } from "./pool_types.ts";
 * POOL_TYPE_INFO.logical.defaultFormat; // "lvm2"
 * ```
 */
export const POOL_TYPE_INFO: Record<PoolType, PoolTypeInfo> = {
  dir: {},
  fs: { device: true, formats: FS_FORMATS },
  netfs: { host: true, dir: true, formats: ["auto", "nfs", "glusterfs", "cifs"] },
  logical: { name: true, device: true, formats: ["unknown", "lvm2"], defaultFormat: "lvm2" },
  disk: {
    device: true,
    formats: ["unknown", "dos", "dvh", "gpt", "mac", "bsd", "pc98", "sun", "lvm2"],
  },
  iscsi: { host: true, device: true, initiatorIqn: true },
  "iscsi-direct": { host: true, device: true, network: true, initiatorIqn: true },
  scsi: { adapter: true },
  mpath: {},
  rbd: { host: true, network: true, name: true },
  sheepdog: { host: true, network: true, name: true },
  gluster: { host: true, network: true, name: true, dir: true },
  zfs: { name: true, device: true },
  vstorage: { name: true },
};
