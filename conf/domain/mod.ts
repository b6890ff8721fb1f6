/**
 * Domain XML (libvirt's `conf/domain_conf`): the {@link DomainDef} model, `parseDomainXML`,
 * `formatDomainXML` and the generic post-parse defaults.
 *
 * @example
 * ```ts
 * import { formatDomainXML, parseDomainXML } from "./mod.ts";
 * const xml = "<domain type='test'><name>a</name><memory>1</memory><os><type>hvm</type></os></domain>";
 * formatDomainXML(parseDomainXML(xml));
 * ```
 * @module
 */
export * from "./def.ts";
export * from "./parse.ts";
export * from "./format.ts";
export * from "./postparse.ts";
export * from "./bitmap.ts";
export * from "./pins.ts";
export * from "./domain_model.ts";
export * from "./disk_model.ts";
export * from "./graphics_model.ts";
