/**
 * libvirt's `src/conf`: XML models, parsers and formatters, one folder per object kind.
 *
 * @example
 * ```ts
 * import { parseDomainXML } from "./mod.ts";
 * ```
 * @module
 */
export * from "./domain/mod.ts";
export * from "./network/mod.ts";
export * from "./storage_pool/mod.ts";
export * from "./storage_vol/mod.ts";
export * from "./interface/mod.ts";
export * from "./secret/mod.ts";
export * from "./node_device/mod.ts";
export * from "./capabilities/mod.ts";
export * from "./snapshot/mod.ts";
export * from "./checkpoint/mod.ts";
export * from "./backup/mod.ts";
export * from "./json_schema.ts";
