/**
 * virDomainBackupAlignDisks: the backup's disks checked against its domain's and completed.
 *
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { DomainDef } from "../domain/def.ts";
import { domainDisks, type MomentDomainDisk } from "../common/moment.ts";
import type { BackupDef, BackupDiskDef } from "./def.ts";

const unsupported = (msg: string) => VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", msg);

/**
 * Aligns the backup's disks with the domain's: the disks listed first, in their order, then one
 * entry per other domain disk in domain order. With no `<disks>` every disk with media that is
 * not read-only is backed up; otherwise the omitted ones are not. A disk backed up without a
 * store of its own gets a file next to its source named `SOURCE.SUFFIX` (the caller's suffix:
 * the checkpoint's name, or the begin time in seconds). Every disk gets its backup mode
 * (incremental when it or the backup names a checkpoint) and its checkpoint.
 *
 * @example
 * ```ts
 * import { alignBackupDisks } from "./align.ts";
 * declare const dom: import("../domain/def.ts").DomainDef;
 * const def: import("./def.ts").BackupDef = { mode: "push", disks: [] };
 * alignBackupDisks(def, dom, "1700000000");
 * ```
 */
export function alignBackupDisks(def: BackupDef, dom: DomainDef, suffix: string): void {
  const domDisks = domainDisks(dom);
  if (!domDisks.length) {
    throw unsupported("domain must have at least one disk to perform backup");
  }
  const listed = new Set<string>();
  for (const disk of def.disks) {
    const domDisk = domDisks.find((d) => d.dst === disk.name);
    if (!domDisk) throw unsupported(`no disk named '${disk.name}'`);
    if (listed.has(disk.name)) throw unsupported(`disk '${disk.name}' specified twice`);
    listed.add(disk.name);
    if (disk.backupmode === "incremental" && !disk.incremental && !def.incremental) {
      throw unsupported(
        `'incremental' backup mode of disk '${disk.name}' requires setting 'incremental' field for disk or backup`,
      );
    }
    if (disk.backup) assignStore(disk, domDisk, suffix);
  }
  const backupAll = !def.disks.length;
  for (const domDisk of domDisks) {
    if (listed.has(domDisk.dst)) continue;
    const disk: BackupDiskDef = {
      name: domDisk.dst,
      backup: backupAll && !domDisk.empty && !domDisk.readonly,
    };
    if (disk.backup) assignStore(disk, domDisk, suffix);
    def.disks.push(disk);
  }
  for (const disk of def.disks) {
    disk.backupmode ??= def.incremental || disk.incremental ? "incremental" : "full";
    if (!disk.incremental && disk.backupmode === "incremental") disk.incremental = def.incremental;
  }
}

/** virDomainBackupDefAssignStore: an empty disk cannot be backed up. */
function assignStore(disk: BackupDiskDef, domDisk: MomentDomainDisk, suffix: string): void {
  if (domDisk.empty) {
    // libvirt refuses only a store given for an empty disk; one left to it has none to get.
    if (disk.store) throw unsupported(`disk '${disk.name}' has no media`);
  } else if (!disk.store) {
    if (domDisk.type !== "file") {
      throw unsupported(`refusing to generate file name for disk '${disk.name}'`);
    }
    disk.store = { type: "file", path: `${domDisk.path}.${suffix}`, index: 0, children: [] };
  }
}
