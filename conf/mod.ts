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
