/**
 * libvirt's storage volume XML (storage_conf.c): the {@link StorageVolDef} model, its parser
 * and formatter. Volumes are always read and written relative to their pool.
 *
 * @example
 * ```ts
 * import { parseStorageVolXML } from "./mod.ts";
 * import { parseStoragePoolXML } from "../storage_pool/mod.ts";
 * const pool = parseStoragePoolXML("<pool type='dir'><name>p</name><target><path>/p</path></target></pool>");
 * parseStorageVolXML(pool, "<volume><name>v</name><capacity unit='KiB'>1</capacity></volume>").capacity; // 1024
 * ```
 * @module
 */
export * from "./model.ts";
export * from "./vol_formats.ts";
export * from "./encryption.ts";
export * from "./parse.ts";
export * from "./format.ts";
export * from "./pool_caps.ts";
