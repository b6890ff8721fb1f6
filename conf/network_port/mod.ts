/**
 * libvirt's network port XML (virnetworkportdef.c): the {@link NetworkPortDef} model, its
 * parser and its formatter.
 *
 * @example
 * ```ts
 * import { formatNetworkPortXML, parseNetworkPortXML } from "./mod.ts";
 * const xml = `<networkport><uuid>5d744f21-ba4a-4d6e-bdb2-30a35ff3207d</uuid>
 *   <owner><name>vm</name><uuid>d54df46f-1ab5-4a22-8618-4560ef5fac2c</uuid></owner>
 *   <mac address='52:54:00:7b:35:93'/><plug type='network' bridge='virbr0'/></networkport>`;
 * formatNetworkPortXML(parseNetworkPortXML(xml)).includes("virbr0"); // true
 * ```
 * @module
 */
export * from "./model.ts";
export * from "./parse.ts";
export * from "./format.ts";
