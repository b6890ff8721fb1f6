/**
 * A backup definition made ready for QEMU the way libvirt 9.0's qemuBackupBegin does once its
 * disks are aligned (virDomainBackupAlignDisks) and before it touches the monitor: the pull
 * server checked (qemuBackupPrepare) and each disk backed up given its store's format
 * and node index, its checkpoint checked and its export named (qemuBackupDiskPrepareDataOne,
 * qemuBackupDiskPrepareStorage).
 *
 * @module
 */
import type { BackupDef } from "../../../conf/backup/mod.ts";
import { VirError } from "../../../util/errors.ts";

/** What preparing a backup needs of the running domain. */
export interface BackupDomain {
  /** A new node index (libvirt's `nodenameindex`, which only grows). */
  newIndex(): number;
  /** Whether the domain has the checkpoint `name`. */
  hasCheckpoint(name: string): boolean;
  /** Whether disk `dst`'s chain holds a valid bitmap `name` (qemuBlockBitmapChainIsValid). */
  bitmapValid(dst: string, name: string): boolean;
}

/**
 * Completes an aligned backup for QEMU.
 *
 * @example
 * ```ts
 * import { prepareBackup } from "./backup_def.ts";
 * declare const def: import("../../../conf/backup/mod.ts").BackupDef;
 * let next = 2;
 * prepareBackup(def, { newIndex: () => next++, hasCheckpoint: () => false, bitmapValid: () => false });
 * ```
 */
export function prepareBackup(def: BackupDef, dom: BackupDomain): BackupDef {
  const pull = def.mode === "pull";
  if (pull) {
    def.server ??= { transport: "tcp", name: "localhost" };
    if (def.server.transport === "tcp" && !def.server.port) {
      throw VirError.report(
        "QEMU",
        "OPERATION_UNSUPPORTED",
        "<domainbackup> must specify TCP port for now",
      );
    }
  }
  const backedUp = def.disks.filter((d) => d.store !== undefined);
  if (!backedUp.length) {
    throw VirError.report("QEMU", "CONFIG_UNSUPPORTED", "no disks selected for backup");
  }
  for (const disk of backedUp) {
    const store = disk.store!;
    store.format ??= "qcow2";
    if (pull && store.format !== "qcow2") {
      throw VirError.report(
        "QEMU",
        "CONFIG_UNSUPPORTED",
        `pull mode backup for disk '${disk.name}' requires qcow2 driver`,
      );
    }
    store.index = dom.newIndex();
    if (disk.incremental !== undefined) {
      if (!dom.hasCheckpoint(disk.incremental)) {
        throw VirError.report(
          "QEMU",
          "NO_DOMAIN_CHECKPOINT",
          `Checkpoint '${disk.incremental}' for incremental backup of disk '${disk.name}' not found`,
        );
      }
      if (!dom.bitmapValid(disk.name, disk.incremental)) {
        throw VirError.report(
          "QEMU",
          "CHECKPOINT_INCONSISTENT",
          `missing or broken bitmap '${disk.incremental}' for disk '${disk.name}'`,
        );
      }
      // A pull backup exports the bitmap of what changed since the checkpoint.
      if (pull) disk.exportbitmap ??= `backup-${disk.name}`;
    }
    // libvirt builds the image's blockdev JSON before it notices the path it has not got.
    if (store.path === undefined) {
      throw VirError.report(
        "NONE",
        "INTERNAL_ERROR",
        "argument key 'filename' must not have null value",
      );
    }
    if (pull) disk.exportname ??= disk.name;
  }
  return def;
}
