import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import { child, children, parse, type XmlElement } from "../../util/xml/mod.ts";
import { parseInt32, parseUInt, xmlPropEnum, xmlPropInt, xmlPropUInt } from "../common/mod.ts";
import type { InterfaceDef, InterfaceProtocol } from "./model.ts";
import { validateInterfaceSchema } from "./rng_schema.ts";

const xmlErr = (msg: string) => VirError.report("INTERFACE", "XML_ERROR", msg);
const TYPES = ["ethernet", "bridge", "bond", "vlan"];
/** virNetDevIfState's names (besides the empty one), for `<link state>`. */
export const LINK_STATES = [
  "unknown",
  "notpresent",
  "down",
  "lowerlayerdown",
  "testing",
  "dormant",
  "up",
];
/** `virInterfaceBondMode` names after "none": the kernel's bonding mode numbers 0…6. */
export const BOND_MODES = [
  "balance-rr",
  "active-backup",
  "balance-xor",
  "broadcast",
  "802.3ad",
  "balance-tlb",
  "balance-alb",
];

function parseProtocol(el: XmlElement): InterfaceProtocol {
  const family = el.attributes.family;
  if (family === undefined) throw xmlErr("protocol misses the family attribute");
  if (family !== "ipv4" && family !== "ipv6") {
    throw xmlErr(`unsupported protocol family '${family ?? ""}'`);
  }
  const proto: InterfaceProtocol = { family, ips: [] };
  if (family === "ipv6" && child(el, "autoconf")) proto.autoconf = true;
  const dhcp = child(el, "dhcp");
  if (dhcp) {
    const peerdns = dhcp.attributes.peerdns;
    if (peerdns !== undefined && peerdns !== "yes" && peerdns !== "no") {
      throw xmlErr(`unknown dhcp peerdns value ${peerdns}`);
    }
    proto.dhcp = { peerdns: peerdns === undefined ? undefined : peerdns === "yes" };
  }
  for (const ip of children(el, "ip")) {
    // virInterfaceDefParseIP: virXMLPropInt in base 0, read only for an address.
    const p = ip.attributes.address === undefined ? 0 : xmlPropInt(ip, "prefix", { base: 0 }) ?? 0;
    proto.ips.push({ address: ip.attributes.address, prefix: p });
  }
  proto.gateway = children(el, "route")[0]?.attributes.gateway;
  return proto;
}

function parseBond(el: XmlElement): NonNullable<InterfaceDef["bond"]> {
  const mode = el.attributes.mode;
  if (mode !== undefined && !BOND_MODES.includes(mode)) {
    throw xmlErr(`unknown bonding mode ${mode}`);
  }
  // virInterfaceDefParseBondItfs: a bond may have no member yet.
  const members = children(el, "interface");
  const bond: NonNullable<InterfaceDef["bond"]> = {
    mode,
    interfaces: members.map((m) => parseInterface(m, false)),
  };
  const int = (v: string | undefined, msg: string) => {
    if (v === undefined) return undefined;
    const n = parseInt32(v);
    if (n === undefined) throw xmlErr(msg);
    return n;
  };
  const mii = child(el, "miimon");
  const arp = child(el, "arpmon");
  if (mii) {
    const a = mii.attributes;
    const freq = int(a.freq, "bond interface miimon freq missing or invalid");
    if (freq === undefined) throw xmlErr("bond interface miimon freq missing or invalid");
    if (a.carrier !== undefined && a.carrier !== "ioctl" && a.carrier !== "netif") {
      throw xmlErr(`unknown mii bonding carrier ${a.carrier}`);
    }
    bond.miimon = {
      freq,
      downdelay: int(a.downdelay, "bond interface miimon downdelay invalid"),
      updelay: int(a.updelay, "bond interface miimon updelay invalid"),
      carrier: a.carrier as "ioctl" | "netif" | undefined,
    };
  } else if (arp) {
    const a = arp.attributes;
    const interval = int(a.interval, "bond interface arpmon interval missing or invalid");
    if (interval === undefined) throw xmlErr("bond interface arpmon interval missing or invalid");
    if (a.target === undefined) throw xmlErr("bond interface arpmon target missing");
    if (a.validate !== undefined && !["active", "backup", "all"].includes(a.validate)) {
      throw xmlErr(`unknown arp bonding validate ${a.validate}`);
    }
    bond.arpmon = {
      interval,
      target: a.target,
      validate: a.validate as "active" | "backup" | "all" | undefined,
    };
  }
  return bond;
}

function parseInterface(el: XmlElement, topLevel: boolean): InterfaceDef {
  const type = xmlPropEnum(el, "type", TYPES, true) as InterfaceDef["type"];
  const name = el.attributes.name;
  if (name === undefined) throw xmlErr("interface has no name");
  const def: InterfaceDef = { type: type as InterfaceDef["type"], name, protocols: [] };
  if (topLevel) {
    const mode = child(el, "start")?.attributes.mode;
    if (mode !== undefined) {
      if (mode !== "none" && mode !== "onboot" && mode !== "hotplug") {
        throw xmlErr(`unknown interface startmode ${mode}`);
      }
      def.startMode = mode;
    }
    const mtu = child(el, "mtu")?.attributes.size;
    if (mtu) {
      const m = parseUInt(mtu);
      if (m === undefined) throw xmlErr("interface mtu value is improper");
      if (m > 100000) {
        throw xmlErr("value of the 'size' attribute of 'mtu' element must be at most 100000");
      }
      def.mtu = m;
    }
    def.protocols = children(el, "protocol").map(parseProtocol);
  }
  const link = child(el, "link");
  if (link) {
    // virInterfaceLinkParseXML: an empty state is virNetDevIfState's zero, no state at all.
    const state = xmlPropEnum(link, "state", ["", ...LINK_STATES]);
    const speed = xmlPropUInt(link, "speed");
    def.link = {};
    if (state) def.link.state = state;
    if (speed !== undefined) def.link.speed = speed;
  }
  if (def.type === "ethernet") {
    def.mac = child(el, "mac")?.attributes.address;
  } else if (def.type === "bridge") {
    const bridge = child(el, "bridge");
    if (!bridge) throw xmlErr("bridge interface misses the bridge element");
    const stp = bridge.attributes.stp;
    if (stp !== undefined && stp !== "on" && stp !== "off") {
      throw xmlErr(`bridge interface stp should be on or off got ${stp}`);
    }
    def.bridge = {
      stp: stp === undefined ? undefined : stp === "on",
      delay: bridge.attributes.delay,
      interfaces: children(bridge, "interface").map((m) => parseInterface(m, false)),
    };
  } else if (def.type === "bond") {
    const bond = child(el, "bond");
    if (!bond) throw xmlErr("bond interface misses the bond element");
    def.bond = parseBond(bond);
  } else {
    const vlan = child(el, "vlan");
    if (!vlan) throw xmlErr("vlan interface misses the vlan element");
    // virXPathString: an empty attribute is none.
    const tag = vlan.attributes.tag || undefined;
    if (tag === undefined) throw xmlErr("vlan interface misses the tag attribute");
    const devName = child(vlan, "interface")?.attributes.name || undefined;
    if (devName === undefined) throw xmlErr("vlan interface misses name attribute");
    def.vlan = { tag, devName };
  }
  return def;
}

/**
 * Parses an `<interface>` (host interface) document like libvirt 9.0's virInterfaceDefParse;
 * VIR_INTERFACE_DEFINE_VALIDATE in `flags` first checks the document against the schema.
 *
 * @example
 * ```ts
 * import { parseInterfaceXML } from "./parse.ts";
 * parseInterfaceXML("<interface type='ethernet' name='eth0'><start mode='onboot'/></interface>")
 *   .startMode; // "onboot"
 * ```
 */
export function parseInterfaceXML(xml: string, flags = 0): InterfaceDef {
  const root = parse(xml, {
    context: "(interface_definition)",
    errorDomain: "INTERFACE",
    expectRoot: "interface",
  });
  if (flags & VIR.INTERFACE_DEFINE_VALIDATE) validateInterfaceSchema(root);
  return parseInterface(root, true);
}
