/**
 * libvirt's domain snapshot XML (snapshot_conf.c): the {@link SnapshotDef} model, its parser,
 * formatter and disk alignment.
 *
 * @example
 * ```ts
 * import { formatSnapshotXML, parseSnapshotXML } from "./mod.ts";
 * const def = parseSnapshotXML("<domainsnapshot><name>s</name></domainsnapshot>", { redefine: false });
 * formatSnapshotXML(def, "6695eb01-f6a4-8304-79aa-97f2502e193f", false);
 * ```
 * @module
 */
export * from "./def.ts";
export * from "./parse.ts";
export * from "./format.ts";
export * from "./align.ts";
export * from "./list.ts";
export * from "./revert_check.ts";
