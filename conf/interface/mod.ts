/**
 * libvirt's host interface XML (interface_conf.c): the {@link InterfaceDef} model, its parser
 * and formatter.
 *
 * @example
 * ```ts
 * import { formatInterfaceXML, parseInterfaceXML } from "./mod.ts";
 * formatInterfaceXML(parseInterfaceXML("<interface type='ethernet' name='eth0'/>"));
 * ```
 * @module
 */
export * from "./model.ts";
export * from "./parse.ts";
export * from "./format.ts";
