/**
 * libvirt's storage pool XML (storage_conf.c): the {@link StoragePoolDef} model, its parser
 * and formatter, and the permission/secret pieces volumes share.
 *
 * @example
 * ```ts
 * import { formatStoragePoolXML, parseStoragePoolXML } from "./mod.ts";
 * const def = parseStoragePoolXML("<pool type='dir'><name>p</name><target><path>/p</path></target></pool>");
 * formatStoragePoolXML(def).startsWith("<pool type='dir'>"); // true
 * ```
 * @module
 */
export * from "./model.ts";
export * from "./pool_types.ts";
export * from "./permissions.ts";
export * from "./secret_lookup.ts";
export * from "./source.ts";
export * from "./parse.ts";
export * from "./format.ts";
