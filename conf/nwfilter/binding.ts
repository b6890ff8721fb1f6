/**
 * An nwfilter binding (`src/conf/virnwfilterbindingdef.c`): which filter, with which
 * parameters, a port device of a guest's NIC is bound to; read as `virNWFilterBindingDefParse`,
 * written as `virNWFilterBindingDefFormat`.
 *
 * @module
 */
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import { parseUUID } from "../../util/uuid.ts";
import { child, escapeXml, parse } from "../../util/xml/mod.ts";
import { parseMac } from "../common/mac.ts";
import { xpathString } from "../common/values.ts";
import { formatFilterRef, parseFilterParams } from "./params.ts";
import { validateNWFilterBindingSchema } from "./rng_schema.ts";

/** A `<filterbinding>`. */
export interface NWFilterBindingDef {
  ownerName: string;
  ownerUUID: string;
  /** The port device (the guest NIC's tap): the binding's key. */
  portdev: string;
  linkdev?: string;
  mac: string;
  filter: string;
  params: Map<string, string[]>;
}

const internal = (msg: string) => VirError.report("NWFILTER", "INTERNAL_ERROR", msg);

/**
 * Parses a `<filterbinding>`; `VIR_NWFILTER_BINDING_CREATE_VALIDATE` in `flags` first checks it
 * against libvirt's `nwfilterbinding.rng`.
 *
 * @example
 * ```ts
 * import { parseNWFilterBindingXML } from "./binding.ts";
 * parseNWFilterBindingXML(`<filterbinding><owner><name>d</name>
 *   <uuid>5c6d49af-b071-6127-b4ec-6f8ed4b55335</uuid></owner><portdev name='vnet0'/>
 *   <mac address='52:54:00:00:00:01'/><filterref filter='clean-traffic'/></filterbinding>`).portdev; // "vnet0"
 * ```
 */
export function parseNWFilterBindingXML(xml: string, flags = 0): NWFilterBindingDef {
  const root = parse(xml, {
    context: "(nwfilterbinding_definition)",
    errorDomain: "NWFILTER",
    expectRoot: "filterbinding",
  });
  if (flags & VIR.NWFILTER_BINDING_CREATE_VALIDATE) validateNWFilterBindingSchema(root);
  // virXPathString: an empty attribute or element is none.
  const attr = (el: string, name: string) => child(root, el)?.attributes[name] || undefined;
  const portdev = attr("portdev", "name");
  if (portdev === undefined) throw internal("filter binding has no port dev name");
  const linkdevEl = child(root, "linkdev");
  const linkdev = attr("linkdev", "name");
  if (linkdevEl && linkdev === undefined) throw internal("filter binding has no link dev name");
  const owner = child(root, "owner");
  const ownerName = xpathString(owner, "name");
  if (ownerName === undefined) throw internal("filter binding has no owner name");
  const uuidText = xpathString(owner, "uuid");
  if (uuidText === undefined) throw internal("filter binding has no owner UUID");
  const ownerUUID = parseUUID(uuidText);
  if (!ownerUUID) throw internal(`Unable to parse UUID '${uuidText}'`);
  const macText = attr("mac", "address");
  if (macText === undefined) throw internal("filter binding has no MAC address");
  const mac = parseMac(macText);
  if (!mac) throw internal(`Unable to parse MAC '${macText}'`);
  const filter = attr("filterref", "filter");
  if (filter === undefined) throw internal("filter binding has no filter reference");
  const params = parseFilterParams(child(root, "filterref")!);
  return { ownerName, ownerUUID, portdev, linkdev, mac, filter, params };
}

/**
 * Formats a binding as libvirt's `virNWFilterBindingDefFormat`.
 *
 * @example
 * ```ts
 * import { formatNWFilterBindingXML } from "./binding.ts";
 * formatNWFilterBindingXML({
 *   ownerName: "d", ownerUUID: "5c6d49af-b071-6127-b4ec-6f8ed4b55335", portdev: "vnet0",
 *   mac: "52:54:00:00:00:01", filter: "clean-traffic", params: new Map(),
 * });
 * ```
 */
export function formatNWFilterBindingXML(def: NWFilterBindingDef): string {
  return "<filterbinding>\n  <owner>\n" +
    `    <name>${escapeXml(def.ownerName)}</name>\n    <uuid>${def.ownerUUID}</uuid>\n` +
    `  </owner>\n  <portdev name='${escapeXml(def.portdev)}'/>\n` +
    (def.linkdev !== undefined ? `  <linkdev name='${escapeXml(def.linkdev)}'/>\n` : "") +
    `  <mac address='${def.mac}'/>\n` + formatFilterRef(def.filter, def.params, "  ") +
    "</filterbinding>\n";
}
