/**
 * libvirt's `virNetworkPortDefParse`: `<networkport>` XML to a {@link NetworkPortDef}, with its
 * checks and messages.
 *
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { child, childText, parse } from "../../util/xml/mod.ts";
import { VIR } from "../../util/constants.ts";
import {
  parseBandwidth,
  parseMac,
  parsePciAddress,
  parseUUID,
  parseVirtualPort,
  parseVlan,
} from "../common/mod.ts";
import type { NetworkPortDef, PortPlug } from "./model.ts";

const internal = (msg: string) => VirError.report("NETWORK", "INTERNAL_ERROR", msg);
const xmlError = (msg: string) => VirError.report("NETWORK", "XML_ERROR", msg);

function tristate(value: string | undefined, attr: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === "yes" || value === "no") return value === "yes";
  throw VirError.report("XML", "XML_ERROR", `Invalid value for attribute '${attr}' in element`);
}

/**
 * `virNetDevMacVLanMode`: the modes of a macvtap (`direct`) plug, the first (vepa) the default.
 *
 * @example
 * ```ts
 * import { MACVLAN_MODES } from "./parse.ts";
 * MACVLAN_MODES[0]; // "vepa"
 * ```
 */
export const MACVLAN_MODES: readonly string[] = ["vepa", "private", "bridge", "passthrough"];

/**
 * Parses a network port.
 *
 * @example
 * ```ts
 * import { parseNetworkPortXML } from "./parse.ts";
 * const port = parseNetworkPortXML(`<networkport><uuid>5d744f21-ba4a-4d6e-bdb2-30a35ff3207d</uuid>
 *   <owner><name>vm</name><uuid>d54df46f-1ab5-4a22-8618-4560ef5fac2c</uuid></owner>
 *   <mac address='52:54:00:7b:35:93'/></networkport>`);
 * port.plug.type; // "none"
 * ```
 */
export function parseNetworkPortXML(xml: string, flags = 0): NetworkPortDef {
  if (flags & VIR.NETWORK_PORT_CREATE_VALIDATE) {
    // No networkport.rng is shipped here: refuse rather than skip the validation asked for.
    throw VirError.report(
      "NETWORK",
      "NO_SUPPORT",
      "RNG validation of network ports is not supported",
    );
  }
  const root = parse(xml, {
    context: "(networkport_definition)",
    errorDomain: "NETWORK",
    expectRoot: "networkport",
  });
  const uuidText = childText(root, "uuid");
  if (uuidText === undefined) throw internal("network port has no uuid");
  const uuid = parseUUID(uuidText);
  if (!uuid) throw internal(`Unable to parse UUID '${uuidText}'`);
  const owner = child(root, "owner");
  const ownerName = childText(owner, "name");
  if (ownerName === undefined) throw internal("network port has no owner name");
  const ownerUUIDText = childText(owner, "uuid");
  if (ownerUUIDText === undefined) throw internal("network port has no owner UUID");
  const ownerUUID = parseUUID(ownerUUIDText);
  if (!ownerUUID) throw internal(`Unable to parse UUID '${ownerUUIDText}'`);
  const def: NetworkPortDef = { uuid, ownerName, ownerUUID, mac: "", plug: { type: "none" } };
  def.group = childText(root, "group");
  const vp = child(root, "virtualport");
  if (vp) def.virtualPort = parseVirtualPort(vp, false);
  const macText = child(root, "mac")?.attributes.address;
  if (macText === undefined) throw internal("network port has no mac");
  const mac = parseMac(macText);
  if (!mac) throw internal(`Unable to parse MAC '${macText}'`);
  def.mac = mac;
  const bw = child(root, "bandwidth");
  if (bw) def.bandwidth = parseBandwidth(bw, true, true);
  const vlan = child(root, "vlan");
  if (vlan) def.vlan = parseVlan(vlan);
  def.isolatedPort = tristate(child(root, "port")?.attributes.isolated, "isolated");
  def.trustGuestRxFilters = tristate(child(root, "rxfilters")?.attributes.trustGuest, "trustGuest");
  def.plug = parsePlug(child(root, "plug"));
  return def;
}

function parsePlug(el: ReturnType<typeof child>): PortPlug {
  const type = el?.attributes.type;
  if (!el || type === undefined || type === "none") return { type: "none" };
  const a = el.attributes;
  switch (type) {
    case "network":
    case "bridge": {
      if (a.bridge === undefined) throw xmlError("Missing network port bridge name");
      const mtm = a.macTableManager;
      if (mtm !== undefined && mtm !== "kernel" && mtm !== "libvirt") {
        throw xmlError(`Invalid macTableManager setting '${mtm}' in network port`);
      }
      return { type, bridge: a.bridge, macTableManager: mtm };
    }
    case "direct":
      if (a.dev === undefined) throw xmlError("Missing network port link device name");
      if (a.mode !== undefined && !MACVLAN_MODES.includes(a.mode)) {
        throw xmlError(`Invalid mode setting '${a.mode}' in network port`);
      }
      return { type, dev: a.dev, mode: a.mode ?? "vepa" };
    case "hostdev-pci": {
      const driver = child(el, "driver")?.attributes.name;
      if (driver !== undefined && !["kvm", "vfio", "xen"].includes(driver)) {
        throw xmlError("Missing network port driver name");
      }
      const addr = child(el, "address");
      if (!addr) throw xmlError("Missing network port PCI address");
      return {
        type,
        managed: tristate(a.managed, "managed"),
        driver,
        address: parsePciAddress(addr),
      };
    }
    default:
      throw VirError.report(
        "XML",
        "XML_ERROR",
        `Invalid value for attribute 'type' in element 'plug': '${type}'.`,
      );
  }
}
