/**
 * libvirt's domain backup XML (backup_conf.c): the {@link BackupDef} model, its parser,
 * formatter and disk alignment.
 *
 * @example
 * ```ts
 * import { formatBackupXML, parseBackupXML } from "./mod.ts";
 * formatBackupXML(parseBackupXML("<domainbackup><disks><disk name='vda' backup='no'/></disks></domainbackup>"));
 * ```
 * @module
 */
export * from "./def.ts";
export * from "./parse.ts";
export * from "./format.ts";
export * from "./align.ts";
