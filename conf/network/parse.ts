import { VirError } from "../../util/errors.ts";
import { child, children, childText, parse, type XmlElement } from "../../util/xml/mod.ts";
import {
  generateUUID,
  isMulticastMac,
  parseBandwidth,
  parseMac,
  parsePciAddress,
  parseUInt,
  parseULongLong,
  parseUUID,
  parseVirtualPort,
  parseVlan,
  sanitizeMetadata,
  socketAddr,
  xmlPropUInt,
} from "../common/mod.ts";
import { VIR } from "../../util/constants.ts";
import { checkAddressRange } from "./address_range.ts";
import { validateNetworkSchema } from "./rng_schema.ts";
import { checkRouteGateways, parseRoute } from "./route.ts";
import {
  parseAddr,
  parseDhcpHost,
  parseDhcpRange,
  parseDnsHost,
  parseDnsSrv,
  parseDnsTxt,
  parsePortGroup,
  tristate,
} from "./entries.ts";
import {
  FORWARD_MODES,
  type NetworkDef,
  type NetworkDns,
  type NetworkForward,
  type NetworkIp,
} from "./model.ts";

const err = (code: string, msg?: string) => VirError.report("NETWORK", code, msg);
const xmlErr = (msg: string) => err("XML_ERROR", msg);

/** The root's `ipv6`, which virNetworkDefParseXML still reads with its own message. */
function rootIpv6(value: string | undefined, net: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === "yes" || value === "no") return value === "yes";
  throw xmlErr(`Invalid ipv6 setting '${value}' in network '${net}'`);
}

function parseIp(el: XmlElement, net: string): NetworkIp {
  // virXPathString: an empty family, address or netmask is none given.
  const [family, address, netmask] = ["family", "address", "netmask"]
    .map((a) => el.attributes[a] || undefined);
  if (address === undefined) throw xmlErr(`Missing required address attribute in network '${net}'`);
  const addr = parseAddr(address, `Invalid address '${address}' in network '${net}'`)!;
  const mask = parseAddr(netmask, `Invalid netmask '${netmask}' in network '${net}'`);
  const ip: NetworkIp = { family, address: addr.text, ranges: [], hosts: [] };
  const prefix = xmlPropUInt(el, "prefix") ?? 0;
  if (el.attributes.prefix !== undefined) ip.prefix = prefix;
  ip.localPtr = tristate(el, "localPtr");
  const unsupported = (msg: string) => err("CONFIG_UNSUPPORTED", msg);
  if (family === undefined || family === "ipv4") {
    if (addr.family !== "ipv4") {
      throw unsupported(
        `${family ?? "no"} family specified for non-IPv4 address '${address}' in network '${net}'`,
      );
    }
    if (mask) {
      if (mask.family !== "ipv4") {
        throw unsupported(
          `Invalid netmask '${netmask}' for address '${address}' in network '${net}' (both must be IPv4)`,
        );
      }
      if (prefix > 0) {
        throw unsupported(`Network '${net}' IP address cannot have both a prefix and a netmask`);
      }
      ip.netmask = mask.text;
    } else if (prefix > 32) {
      throw unsupported(`Invalid IPv4 prefix '${prefix}' in network '${net}'`);
    }
  } else if (family === "ipv6") {
    if (addr.family !== "ipv6") {
      throw unsupported(
        `Family 'ipv6' specified for non-IPv6 address '${address}' in network '${net}'`,
      );
    }
    if (mask) {
      throw unsupported(`netmask not allowed for IPv6 address '${address}' in network '${net}'`);
    }
    if (prefix > 128) throw unsupported(`Invalid IPv6 prefix '${prefix}' in network '${net}'`);
  } else {
    throw xmlErr(`Unrecognized family '${family}' in network '${net}'`);
  }
  const isV6 = addr.family === "ipv6";
  const dhcp = child(el, "dhcp");
  if (dhcp) {
    for (const c of children(dhcp)) {
      if (c.name === "range") {
        ip.ranges.push(parseDhcpRange(c, net, ip));
      } else if (c.name === "host") {
        ip.hosts.push(parseDhcpHost(c, net, isV6));
      } else if (c.name === "bootp" && !isV6) {
        const file = c.attributes.file;
        if (file === undefined) continue;
        // Read with virSocketAddrParse alone: its own error, not the network's.
        const server = c.attributes.server;
        ip.bootp = { file, server: server === undefined ? undefined : socketAddr(server).text };
      }
    }
  }
  const tftp = child(el, "tftp");
  if (tftp) {
    if (isV6) {
      throw unsupported(`Unsupported <tftp> element in an IPv6 element in network '${net}'`);
    }
    ip.tftpRoot = tftp.attributes.root;
  }
  return ip;
}

function parseDns(el: XmlElement | undefined, net: string): NetworkDns {
  const dns: NetworkDns = { forwarders: [], txts: [], srvs: [], hosts: [] };
  if (!el) return dns;
  dns.enable = tristate(el, "enable");
  dns.forwardPlainNames = tristate(el, "forwardPlainNames");
  for (const f of children(el, "forwarder")) {
    const { addr, domain } = f.attributes;
    const a = parseAddr(addr, `Invalid forwarder IP address '${addr}' in network '${net}'`);
    if (!a && domain === undefined) {
      throw xmlErr("Invalid forwarder element, must contain at least one of addr or domain");
    }
    dns.forwarders.push({ domain, addr: a?.text });
  }
  for (const h of children(el, "host")) {
    const { ip, hostnames } = parseDnsHost(h, net, false);
    dns.hosts.push({ ip: ip!, hostnames });
  }
  for (const s of children(el, "srv")) {
    dns.srvs.push(parseDnsSrv(s, net, false) as NetworkDns["srvs"][number]);
  }
  for (const t of children(el, "txt")) {
    const { name, value } = parseDnsTxt(t, net, false);
    dns.txts.push({ name, value: value! });
  }
  if (
    dns.enable === false &&
    (dns.forwarders.length || dns.hosts.length || dns.srvs.length || dns.txts.length)
  ) {
    throw xmlErr(`Extra data in disabled network '${net}'`);
  }
  return dns;
}

function parseForward(el: XmlElement | undefined, net: string): NetworkForward {
  const fwd: NetworkForward = { mode: "none", ifs: [] };
  if (!el) return fwd;
  const mode = el.attributes.mode ?? "nat";
  if (mode === "none" || !(FORWARD_MODES as readonly string[]).includes(mode)) {
    throw err("CONFIG_UNSUPPORTED", `unknown forwarding type '${mode}'`);
  }
  fwd.mode = mode as NetworkForward["mode"];
  const managed = el.attributes.managed;
  if (managed !== undefined) fwd.managed = managed === "yes";
  const driver = child(el, "driver")?.attributes.name;
  if (driver !== undefined) {
    if (!["kvm", "vfio", "xen"].includes(driver)) {
      throw err(
        "CONFIG_UNSUPPORTED",
        `Unknown forward <driver name='${driver}'/> in network ${net}`,
      );
    }
    fwd.driverName = driver as NetworkForward["driverName"];
  }
  const ifEls = children(el, "interface");
  const addrEls = children(el, "address");
  const pfEls = children(el, "pf");
  const natEls = children(el, "nat");
  // virNetworkForwardDefParseXML reads the <nat> before the devices, addresses and <pf>.
  if (natEls.length > 1) {
    throw xmlErr(`Only one <nat> element is allowed in <forward> of network ${net}`);
  }
  if (natEls.length === 1) fwd.nat = parseNat(natEls[0], fwd, net);
  const dev = el.attributes.dev;
  if (dev !== undefined && (addrEls.length || pfEls.length)) {
    throw xmlErr(
      // libvirt 9.0 prints its format string as is: the name is never substituted.
      "the <forward> 'dev' attribute cannot be used when <address> or <pf> sub-elements are present in network %s",
    );
  }
  if (ifEls.length || dev !== undefined) {
    if (dev !== undefined) fwd.ifs.push({ type: "netdev", dev });
    ifEls.forEach((i, n) => {
      const d = i.attributes.dev;
      if (d === undefined) {
        throw xmlErr(
          `Missing required dev attribute in <forward> <interface> element of network ${net}`,
        );
      }
      if (n === 0 && dev !== undefined) {
        if (d !== dev) {
          throw xmlErr(
            `<forward dev='${dev}'> must match first <interface dev='${d}'/> in network ${net}`,
          );
        }
        return;
      }
      if (fwd.ifs.some((o) => o.type === "netdev" && o.dev === d)) {
        throw xmlErr(`interface '${d}' can only be listed once in network ${net}`);
      }
      fwd.ifs.push({ type: "netdev", dev: d });
    });
  } else if (addrEls.length) {
    for (const a of addrEls) {
      const type = a.attributes.type;
      if (type === undefined) throw xmlErr(`missing address type in network ${net}`);
      // virNetworkForwardHostdevDeviceType names; only PCI addresses are read.
      if (!["none", "pci", "netdev"].includes(type)) {
        throw err("CONFIG_UNSUPPORTED", `unknown address type '${type}' in network ${net}`);
      }
      if (type !== "pci") throw xmlErr(`unsupported address type '${type}' in network ${net}`);
      const address = parsePciAddress(a);
      const same = (o: (typeof fwd.ifs)[number]) =>
        o.type === "pci" &&
        ["domain", "bus", "slot", "function"].every((k) =>
          o.address[k as keyof typeof address] === address[k as keyof typeof address]
        );
      if (fwd.ifs.some(same)) {
        const hex = (n: number, w: number) => n.toString(16).padStart(w, "0");
        const name = `${hex(address.domain, 4)}:${hex(address.bus, 2)}:${hex(address.slot, 2)}.` +
          address.function.toString(16);
        throw xmlErr(`PCI device '${name}' can only be listed once in network ${net}`);
      }
      fwd.ifs.push({ type: "pci", address });
    }
  } else if (pfEls.length > 1) {
    throw xmlErr(`Only one <pf> element is allowed in <forward> of network ${net}`);
  } else if (pfEls.length === 1) {
    const pf = pfEls[0].attributes.dev;
    if (pf === undefined) {
      throw xmlErr(`Missing required dev attribute in <pf> element of network '${net}'`);
    }
    fwd.pf = pf;
  }
  return fwd;
}

function parseNat(el: XmlElement, fwd: NetworkForward, net: string): NetworkForward["nat"] {
  if (fwd.mode !== "nat") {
    throw xmlErr(
      `The <nat> element can only be used when <forward> 'mode' is 'nat' in network ${net}`,
    );
  }
  const nat: NonNullable<NetworkForward["nat"]> = {
    ipv6: tristate(el, "ipv6"),
  };
  const addrs = children(el, "address");
  if (addrs.length > 1) {
    throw xmlErr(
      `Only one <address> element is allowed in <nat> in <forward> in network ${net}`,
    );
  }
  if (addrs.length) {
    const { start, end } = addrs[0].attributes;
    for (const [which, value] of [["start", start], ["end", end]]) {
      if (value !== undefined) continue;
      throw xmlErr(
        `missing '${which}' attribute in <address> element in <nat> in <forward> in network ${net}`,
      );
    }
    const ipv4 = (which: "start" | "end", value: string) => {
      const bad = `Bad ipv4 ${which} address '${value}' in <nat> in <forward> in network '${net}'`;
      const a = parseAddr(value, bad)!;
      if (a.family !== "ipv4") throw xmlErr(bad);
      return a.text;
    };
    nat.addressStart = ipv4("start", start!);
    nat.addressEnd = ipv4("end", end!);
    checkAddressRange(nat.addressStart, nat.addressEnd);
  }
  const ports = children(el, "port");
  if (ports.length > 1) {
    throw xmlErr(`Only one <port> element is allowed in <nat> in <forward> in network ${net}`);
  }
  const port = ports[0];
  if (port) {
    // virXPathUInt: a missing, empty or malformed bound fails, as does one out of range or an
    // end before the start.
    const portNum = (name: string, min: number) => {
      const v = parseUInt(port.attributes[name] || undefined);
      if (v === undefined || v > 65535 || v < min) {
        throw err(
          "XML_DETAIL",
          `Missing or invalid '${name}' attribute in <port> in <nat> in <forward> in network ${net}`,
        );
      }
      return v;
    };
    nat.portStart = portNum("start", 0);
    nat.portEnd = portNum("end", nat.portStart);
  }
  return nat;
}

/** Checks that libvirt's network parser makes about the forward mode and the bridge. */
function validateForward(def: NetworkDef, stpGiven: boolean): void {
  const { forward, name } = def;
  const mode = forward.mode;
  switch (mode) {
    case "none":
      break;
    case "route":
    case "nat":
    case "open":
      if (!def.ips.length) {
        throw xmlErr(
          `${mode} forwarding requested, but no IP address provided for network '${name}'`,
        );
      }
      if (forward.ifs.length > 1) {
        throw xmlErr(
          `multiple forwarding interfaces specified for network '${name}', only one is supported`,
        );
      }
      if (mode === "open" && forward.ifs.length) {
        throw xmlErr(`forward dev not allowed for network '${name}' with forward mode='${mode}'`);
      }
      break;
    default:
      if (mode !== "bridge") {
        if (def.bridge.name !== undefined) {
          throw xmlErr(`bridge name not allowed in ${mode} mode (network '${name}')`);
        }
        if (def.bridge.zone !== undefined) {
          throw xmlErr(`bridge zone not allowed in ${mode} mode (network '${name}')`);
        }
        if (def.bridge.macTableManager !== undefined) {
          throw xmlErr(
            `bridge macTableManager setting not allowed in ${mode} mode (network '${name}')`,
          );
        }
      }
      if (def.bridge.delay || stpGiven || def.bridge.zone !== undefined) {
        throw xmlErr(
          `bridge delay/stp/zone options only allowed in route, nat, and isolated mode, not in ${mode} (network '${name}')`,
        );
      }
      if (def.bridge.name !== undefined && (forward.ifs.length || forward.pf !== undefined)) {
        throw xmlErr(
          `A network with forward mode='${mode}' can specify a bridge name or a forward dev, but not both (network '${name}')`,
        );
      }
  }
  if (def.mtu && !["none", "nat", "route", "open"].includes(mode)) {
    throw xmlErr(
      `mtu size only allowed in open, route, nat, and isolated mode, not in ${mode} (network '${name}')`,
    );
  }
}

/**
 * A driver's XML namespace parser (libvirt's `virXMLNamespace.parse` of the driver's xmlopt):
 * reads its elements from the root into the definition, after the rest is parsed.
 */
export type NetworkNamespaceParser = (root: XmlElement, def: NetworkDef) => void;

/**
 * Parses a `<network>` document like libvirt 9.0's virNetworkDefParse: unknown elements are
 * ignored unless `VIR_NETWORK_DEFINE_VALIDATE` asks for the schema check.
 *
 * @example
 * ```ts
 * import { parseNetworkXML } from "./parse.ts";
 * const def = parseNetworkXML("<network><name>n</name><forward mode='nat'/><ip address='10.0.0.1'/></network>");
 * def.forward.mode; // "nat"
 * ```
 */
export function parseNetworkXML(
  xml: string,
  flags = 0,
  namespace?: NetworkNamespaceParser,
): NetworkDef {
  const root = parse(xml, {
    context: "(network_definition)",
    errorDomain: "NETWORK",
    expectRoot: "network",
  });
  if (flags & VIR.NETWORK_DEFINE_VALIDATE) validateNetworkSchema(root);
  const name = childText(root, "name");
  // virXPathString: an empty name is no name.
  if (!name) throw err("NO_NAME");
  if (name.includes("/")) throw err("XML_DETAIL", `invalid char in name: /`);
  const uuidText = childText(root, "uuid");
  // virNetworkDefParseXML generates the UUID itself when the document has none.
  let uuid = generateUUID();
  // virXPathString: an empty <uuid/> is none.
  if (uuidText) {
    const u = parseUUID(uuidText);
    if (!u) throw err("INTERNAL_ERROR", "malformed uuid element");
    uuid = u;
  }
  const def: NetworkDef = {
    name,
    uuid,
    ipv6: rootIpv6(root.attributes.ipv6, name),
    trustGuestRxFilters: tristate(root, "trustGuestRxFilters"),
    forward: { mode: "none", ifs: [] },
    bridge: { stp: true, delay: 0 },
    dns: { forwarders: [], txts: [], srvs: [], hosts: [] },
    ips: [],
    routes: [],
    portGroups: [],
  };
  const metadata = child(root, "metadata");
  if (metadata) def.metadata = sanitizeMetadata(metadata, [root]);
  const domain = child(root, "domain");
  if (domain?.attributes.name !== undefined) {
    def.domain = {
      name: domain.attributes.name,
      localOnly: tristate(domain, "localOnly"),
    };
  }
  const bw = child(root, "bandwidth");
  if (bw) def.bandwidth = parseBandwidth(bw);
  const vlan = child(root, "vlan");
  if (vlan) def.vlan = parseVlan(vlan);
  const bridge = child(root, "bridge");
  const stp = bridge?.attributes.stp;
  def.bridge.name = bridge?.attributes.name;
  def.bridge.zone = bridge?.attributes.zone;
  def.bridge.stp = stp !== "off";
  const delay = bridge?.attributes.delay;
  if (delay !== undefined) {
    const d = parseULongLong(delay);
    if (d === undefined) {
      throw err("XML_ERROR", `Invalid delay value in network '${name}'`);
    }
    def.bridge.delay = Number(d);
  }
  const mtm = bridge?.attributes.macTableManager;
  if (mtm !== undefined) {
    if (mtm !== "kernel" && mtm !== "libvirt") {
      throw err("XML_ERROR", `Invalid macTableManager setting '${mtm}' in network '${name}'`);
    }
    def.bridge.macTableManager = mtm;
  }
  const macText = child(root, "mac")?.attributes.address;
  if (macText !== undefined) {
    const mac = parseMac(macText);
    if (!mac) throw xmlErr(`Invalid bridge mac address '${macText}' in network '${name}'`);
    if (isMulticastMac(mac)) {
      throw xmlErr(`Invalid multicast bridge mac address '${macText}' in network '${name}'`);
    }
    def.mac = mac;
  }
  const mtu = child(root, "mtu")?.attributes.size;
  if (mtu !== undefined) {
    const m = parseUInt(mtu);
    if (m === undefined) throw xmlErr(`Invalid mtu size '${mtu}' in network '${name}'`);
    def.mtu = m;
  }
  def.dns = parseDns(child(root, "dns"), name);
  const vp = child(root, "virtualport");
  if (vp) def.virtualPort = parseVirtualPort(vp, true);
  // Several default portgroups are the network driver's error (networkValidate), not the
  // parser's: the test driver keeps them.
  def.portGroups = children(root, "portgroup").map(parsePortGroup);
  def.ips = children(root, "ip").map((ip) => parseIp(ip, name));
  def.routes = children(root, "route").map((r) => parseRoute(r, name));
  checkRouteGateways(def.routes, def.ips, name);
  def.forward = parseForward(child(root, "forward"), name);
  const port = child(root, "port");
  if (port) {
    def.isolatedPort = tristate(port, "isolated");
  }
  validateForward(def, stp !== undefined);
  namespace?.(root, def);
  return def;
}
