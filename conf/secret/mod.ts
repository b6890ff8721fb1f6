/**
 * libvirt's secret XML (secret_conf.c): the {@link SecretDef} model, its parser and formatter.
 *
 * @example
 * ```ts
 * import { formatSecretXML, parseSecretXML } from "./mod.ts";
 * formatSecretXML(parseSecretXML("<secret><uuid>f52a81b2-424e-490c-823d-6bd4235bc572</uuid></secret>"));
 * ```
 * @module
 */
export * from "./model.ts";
export * from "./parse.ts";
export * from "./format.ts";
