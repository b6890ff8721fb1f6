/**
 * Which disks a storage migration copies (libvirt 9.0's `qemuMigrationAnyCopyDisk` and the
 * `migrate_disks` parameter), and the names QEMU knows a copied disk by on both hosts.
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { VIR } from "../../../util/constants.ts";
import type { TypedParams } from "../../../util/contract/types.ts";
import { VirError } from "../../../util/errors.ts";
import { child, type XmlElement } from "../../../util/xml/mod.ts";
import { dstOf } from "./block_chain.ts";
import { sourceIndex } from "./device_disk.ts";

const STORAGE_FLAGS = VIR.MIGRATE_NON_SHARED_DISK | VIR.MIGRATE_NON_SHARED_INC;

/** The disks of a definition. */
export const disksOf = (def: DomainDef): XmlElement[] =>
  def.devices.other.filter((d) => d.name === "disk");

/**
 * The `migrate_disks` parameter's targets. libvirt repeats the parameter once per disk; the
 * typed parameters here hold one value per name, so the targets come comma-separated, as
 * virsh's `--migrate-disks` takes them.
 *
 * @example
 * ```ts
 * import { migrateDisksParam } from "./migration_disks.ts";
 * migrateDisksParam({ migrate_disks: "vda,vdb" }); // ["vda", "vdb"]
 * ```
 */
export function migrateDisksParam(params: TypedParams): string[] {
  const value = params.migrate_disks;
  return typeof value === "string" ? value.split(",").filter(Boolean) : [];
}

/**
 * `virStorageSourceIsEmpty`: a disk without a medium.
 *
 * @example
 * ```ts
 * import { isEmpty } from "./migration_disks.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * isEmpty(parse("<disk device='cdrom'><target dev='hdc'/></disk>")); // true
 * ```
 */
export function isEmpty(disk: XmlElement): boolean {
  const source = child(disk, "source")?.attributes ?? {};
  return !(source.file || source.dev || source.dir || source.volume || source.protocol);
}

/**
 * Read-only: said so, or a CD-ROM (libvirt's parser makes every CD-ROM read-only).
 *
 * @example
 * ```ts
 * import { isReadonly } from "./migration_disks.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * isReadonly(parse("<disk><readonly/><target dev='vdb'/></disk>")); // true
 * ```
 */
export const isReadonly = (disk: XmlElement): boolean =>
  disk.attributes.device === "cdrom" || child(disk, "readonly") !== undefined;

/**
 * `qemuMigrationAnyCopyDisk`: a disk `migrate_disks` names, or without the list every disk
 * that is not shareable, not read-only and not empty.
 *
 * @example
 * ```ts
 * import { copiesDisk } from "./migration_disks.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * copiesDisk(parse("<disk device='cdrom'><target dev='hdc'/></disk>"), []); // false
 * ```
 */
export function copiesDisk(disk: XmlElement, migrateDisks: string[]): boolean {
  if (migrateDisks.length) return migrateDisks.includes(dstOf(disk));
  return !child(disk, "shareable") && !isReadonly(disk) && !isEmpty(disk);
}

/**
 * The disks a migration with `flags` copies; none without a storage copy flag.
 *
 * @example
 * ```ts
 * import { copiedDisks } from "./migration_disks.ts";
 * declare const def: import("../../../conf/domain/def.ts").DomainDef;
 * copiedDisks(def, {}, 0); // []
 * ```
 */
export function copiedDisks(def: DomainDef, params: TypedParams, flags: number): XmlElement[] {
  if (!(flags & STORAGE_FLAGS)) return [];
  const list = migrateDisksParam(params);
  return disksOf(def).filter((d) => copiesDisk(d, list));
}

/**
 * `qemuMigrationSrcBeginPhase`'s check of `migrate_disks` for a storage migration: every
 * target named must be a disk of the domain.
 *
 * @example
 * ```ts
 * import { checkMigrateDisks } from "./migration_disks.ts";
 * declare const def: import("../../../conf/domain/def.ts").DomainDef;
 * checkMigrateDisks(def, { migrate_disks: "vdz" }, 64); // throws: disk target vdz not found
 * ```
 */
export function checkMigrateDisks(def: DomainDef, params: TypedParams, flags: number): void {
  if (!(flags & STORAGE_FLAGS)) return;
  const targets = new Set(disksOf(def).map(dstOf));
  const missing = migrateDisksParam(params).find((t) => !targets.has(t));
  if (missing !== undefined) {
    throw VirError.report("QEMU", "INVALID_ARG", `disk target ${missing} not found`);
  }
}

/**
 * `qemuAliasDiskDriveFromDisk`: the NBD export's and the mirror job's name.
 *
 * @example
 * ```ts
 * import { driveAlias } from "./migration_disks.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * driveAlias(parse("<disk><alias name='virtio-disk0'/><target dev='vda'/></disk>"));
 * // "drive-virtio-disk0"
 * ```
 */
export function driveAlias(disk: XmlElement): string {
  const alias = child(disk, "alias")?.attributes.name;
  if (!alias) {
    throw VirError.report("QEMU", "INTERNAL_ERROR", `disk ${dstOf(disk)} does not have an alias`);
  }
  return `drive-${alias}`;
}

/**
 * The source index of a started disk, whose nodes are `libvirt-N-*`.
 *
 * @example
 * ```ts
 * import { startedIndex } from "./migration_disks.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * startedIndex(parse("<disk><source file='/i' index='2'/><target dev='vda'/></disk>")); // 2
 * ```
 */
export function startedIndex(disk: XmlElement): number {
  const index = sourceIndex(disk);
  if (index === undefined) {
    throw VirError.report("QEMU", "INTERNAL_ERROR", `disk ${dstOf(disk)} has no block node`);
  }
  return index;
}
