/**
 * The domain backup model (libvirt's `virDomainBackupDef`).
 *
 * @module
 */
import type { XmlElement } from "../../util/xml/mod.ts";

/** Where a backup disk's data goes: the push target or the pull scratch (a `virStorageSource`). */
export interface BackupStore {
  /** `file` or `block`. */
  type: "file" | "block";
  /** The file or device; absent when the document gave none (libvirt then has a null path). */
  path?: string;
  /** `<driver type>`: the image format. */
  format?: string;
  /** The node index the driver gave the store (`index=`), 0 until then. */
  index: number;
  /** The `<target>`/`<scratch>` children (seclabels, encryption) as written. */
  children: XmlElement[];
}

/** One `<disk>` of a backup. */
export interface BackupDiskDef {
  /** The domain disk's target. */
  name: string;
  /** Whether the disk is backed up (`backup='yes'`, the default). */
  backup: boolean;
  /** `full` or `incremental`; filled in by {@link alignBackupDisks}. */
  backupmode?: "full" | "incremental";
  /** The checkpoint an incremental backup starts from. */
  incremental?: string;
  /** Pull mode: the NBD export's name and the bitmap it exposes. */
  exportname?: string;
  exportbitmap?: string;
  /** The target (push) or scratch (pull) image; only for a disk backed up. */
  store?: BackupStore;
}

/** The NBD server of a pull backup (a `virStorageNetHostDef`). */
export interface BackupServer {
  transport: "tcp" | "unix";
  name?: string;
  port?: number;
  socket?: string;
  /** `tls='yes'|'no'`, absent when not given. */
  tls?: boolean;
}

/** A backup definition. */
export interface BackupDef {
  mode: "push" | "pull";
  /** The checkpoint every disk's incremental backup starts from. */
  incremental?: string;
  server?: BackupServer;
  disks: BackupDiskDef[];
}
