/**
 * libvirt's network XML (network_conf.c): the {@link NetworkDef} model, its parser and its
 * formatter.
 *
 * @example
 * ```ts
 * import { formatNetworkXML, parseNetworkXML } from "./mod.ts";
 * import { VIR } from "../../util/constants.ts";
 * const def = parseNetworkXML("<network><name>n</name><forward mode='nat'/><ip address='10.0.0.1'/></network>");
 * formatNetworkXML(def, VIR.NETWORK_XML_INACTIVE).includes("stp='on'"); // true
 * ```
 * @module
 */
export * from "./model.ts";
export * from "./parse.ts";
export * from "./format.ts";
export * from "./update.ts";
export * from "./dnsmasq_namespace.ts";
