/**
 * libvirt's domain checkpoint XML (checkpoint_conf.c): the {@link CheckpointDef} model, its
 * parser, formatter and disk alignment.
 *
 * @example
 * ```ts
 * import { formatCheckpointXML, parseCheckpointXML } from "./mod.ts";
 * const def = parseCheckpointXML("<domaincheckpoint><name>c</name></domaincheckpoint>", { redefine: false });
 * formatCheckpointXML(def, { noDomain: true });
 * ```
 * @module
 */
export * from "./def.ts";
export * from "./parse.ts";
export * from "./format.ts";
export * from "./align.ts";
export * from "./list.ts";
