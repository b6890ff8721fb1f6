/**
 * The list entries of a network definition, parsed as network_conf.c's per-entry parsers do
 * (virNetworkDHCPRangeDefParseXML, virNetworkDHCPHostDefParseXML, virNetworkDNSHostDefParseXML,
 * virNetworkDNSSrvDefParseXML, virNetworkDNSTxtDefParseXML, virNetworkPortGroupParseXML). The
 * network parser and `virNetworkUpdate` share them, so both report the same errors; `partial`
 * is the update's DELETE, where only the fields that identify an entry are needed.
 *
 * @example
 * ```ts
 * import { parseDnsTxt } from "./entries.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseDnsTxt(parse("<txt name='t' value='v'/>"), "n", false); // { name: "t", value: "v" }
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { child, children, textOf, type XmlElement } from "../../util/xml/mod.ts";
import {
  isMulticastMac,
  parseBandwidth,
  parseIpAddress,
  parseMac,
  parseUInt,
  parseVirtualPort,
  parseVlan,
  socketAddr,
  xmlPropEnum,
  xmlPropUInt,
} from "../common/mod.ts";
import { checkAddressRange } from "./address_range.ts";
import type { Lease, NetworkDns, NetworkIp, PortGroup } from "./model.ts";

const err = (code: string, msg: string) => VirError.report("NETWORK", code, msg);
const xmlErr = (msg: string) => err("XML_ERROR", msg);
const detail = (msg: string) => err("XML_DETAIL", msg);
/** C's printf of a NULL string. */
const nullable = (s: string | undefined) => s ?? "(null)";

/** A `yes`/`no` attribute read with virXMLPropTristateBool (VIR_FROM_XML errors). */
export function tristate(el: XmlElement, attr: string): boolean | undefined {
  const v = xmlPropEnum(el, attr, ["yes", "no"] as const);
  return v === undefined ? undefined : v === "yes";
}

/** An address, or `msg` as a network error of `code` when it is not one. */
export function parseAddr(text: string | undefined, msg: string, code = "XML_ERROR") {
  if (text === undefined) return undefined;
  const a = parseIpAddress(text);
  if (!a) throw err(code, msg);
  return a;
}

/** virNetworkDHCPLeaseTimeDefParseXML of an entry's `<lease>`. */
function parseLease(el: XmlElement): Lease | undefined {
  const node = child(el, "lease");
  if (!node) return undefined;
  const expiry = xmlPropUInt(node, "expiry", 2 ** 64 - 1);
  // A <lease> without an expiry is no lease time at all.
  if (expiry === undefined) return undefined;
  const unit = xmlPropEnum(node, "unit", ["seconds", "minutes", "hours"] as const) ?? "minutes";
  if (expiry > 0 && ((unit === "seconds" && expiry < 120) || (unit === "minutes" && expiry < 2))) {
    throw err("CONFIG_UNSUPPORTED", "The minimum lease time should be greater than 2 minutes");
  }
  return { expiry, unit };
}

/**
 * A DHCP `<range>` of `ip`: both ends present and numeric, and the range inside the `<ip>`'s
 * subnet (virSocketAddrGetRange's errors).
 */
export function parseDhcpRange(el: XmlElement, net: string, ip: NetworkIp) {
  const { start, end } = el.attributes;
  if (start === undefined) {
    throw xmlErr(`Missing 'start' attribute in dhcp range for network '${net}'`);
  }
  const s = socketAddr(start);
  if (end === undefined) throw xmlErr(`Missing 'end' attribute in dhcp range for network '${net}'`);
  const e = socketAddr(end);
  checkAddressRange(start, end, ip);
  return { start: s.text, end: e.text, lease: parseLease(el) };
}

/**
 * A DHCP `<host>` as virNetworkDHCPHostDefParseXML reads it; `partial` (a network update that
 * deletes) lets the IP address and the mac/name pair be missing.
 */
export function parseDhcpHost(el: XmlElement, net: string, ipv6: boolean, partial = false) {
  const { mac, id, name, ip } = el.attributes;
  if (mac !== undefined) {
    if (ipv6) {
      throw xmlErr(
        `Invalid to specify MAC address '${mac}' in network '${net}' IPv6 static host definition`,
      );
    }
    const parsed = parseMac(mac);
    if (!parsed) throw xmlErr(`Cannot parse MAC address '${mac}' in network '${net}'`);
    if (isMulticastMac(parsed)) {
      throw xmlErr(`expected unicast mac address, found multicast '${mac}' in network '${net}'`);
    }
  }
  if (id !== undefined) {
    const bad = /[^0-9a-fA-F:]/.exec(id);
    if (bad) throw xmlErr(`Invalid character '${bad[0]}' in id '${id}' of network '${net}'`);
  }
  if (name !== undefined && !/^[a-zA-Z]/.test(name)) {
    throw xmlErr(`Cannot use host name '${name}' in network '${net}'`);
  }
  const addr = parseAddr(ip, `Invalid IP address in static host definition for network '${net}'`);
  if (ipv6) {
    if (id === undefined && name === undefined && !partial) {
      throw xmlErr(
        `Static host definition in IPv6 network '${net}' must have id or name attribute`,
      );
    }
  } else if (mac === undefined && name === undefined && !partial) {
    throw xmlErr(
      `Static host definition in IPv4 network '${net}' must have mac or name attribute`,
    );
  }
  if (!addr && !partial) {
    throw xmlErr(`Missing IP address in static host definition for network '${net}'`);
  }
  return { mac, id, name, ip: addr?.text, lease: parseLease(el) };
}

/** A DNS `<host>`; a partial one (an update's DELETE) has an address or names, or both. */
export function parseDnsHost(el: XmlElement, net: string, partial: boolean) {
  const text = el.attributes.ip;
  if (text === undefined && !partial) {
    throw detail(`Missing IP address in network '${net}' DNS HOST record`);
  }
  const ip = parseAddr(
    text,
    `Invalid IP address in network '${net}' DNS HOST record`,
    "XML_DETAIL",
  );
  // An empty <hostname/> has no content node, which libvirt skips; blank text is a name.
  const hostnames = children(el, "hostname").map((n) => textOf(n) ?? "").filter((n) => n);
  if (!hostnames.length && !partial) {
    throw detail(`Missing hostname in network '${net}' DNS HOST record`);
  }
  if (!ip && !hostnames.length) {
    throw detail(`Missing ip and hostname in network '${net}' DNS HOST record`);
  }
  return { ip: ip?.text, hostnames };
}

/** A DNS `<txt>`: the name always, the value unless partial. */
export function parseDnsTxt(el: XmlElement, net: string, partial: boolean) {
  const { name, value } = el.attributes;
  if (name === undefined) {
    throw detail(`missing required name attribute in DNS TXT record of network ${net}`);
  }
  if (/[ ,]/.test(name)) {
    throw detail(`prohibited character in DNS TXT record name '${name}' of network ${net}`);
  }
  if (value === undefined && !partial) {
    throw detail(
      `missing required value attribute in DNS TXT record named '${name}' of network ${net}`,
    );
  }
  return { name, value };
}

const SERVICE_CHARS = /^[A-Za-z0-9_\-+/*]*$/;
const PROTOCOL_CHARS = /^[A-Za-z0-9\-+/]*$/;
/** DNS_RECORD_LENGTH_SRV. */
const SRV_LENGTH = 482;

/** A DNS `<srv>`: service and protocol unless partial, the numbers only with a target. */
export function parseDnsSrv(
  el: XmlElement,
  net: string,
  partial: boolean,
): Partial<NetworkDns["srvs"][number]> {
  const { service, protocol, domain, target } = el.attributes;
  if (service === undefined && !partial) {
    throw detail(`missing required service attribute in DNS SRV record of network '${net}'`);
  }
  if (service !== undefined) {
    if (new TextEncoder().encode(service).length > SRV_LENGTH) {
      throw detail(
        `service attribute '${service}' in network '${net}' is too long, limit is ${SRV_LENGTH} bytes`,
      );
    }
    if (!SERVICE_CHARS.test(service)) {
      throw detail(
        `invalid character in service attribute '${service}' in DNS SRV record of network '${net}'`,
      );
    }
  }
  if (protocol === undefined && !partial) {
    throw detail(
      `missing required protocol attribute in DNS SRV record '${
        nullable(service)
      }' of network '${net}'`,
    );
  }
  if (protocol !== undefined && !PROTOCOL_CHARS.test(protocol)) {
    throw detail(
      `invalid character in protocol attribute '${protocol}' in DNS SRV record of network '${net}'`,
    );
  }
  const of = `for service '${nullable(service)}' in network '${net}'`;
  // virXPathUInt: absent or empty is no value, anything else must be a number.
  const num = (name: string, invalid: string, min: number) => {
    const raw = el.attributes[name];
    if (!raw) return undefined;
    const n = parseUInt(raw);
    if (n !== undefined && target === undefined) {
      throw detail(`DNS SRV ${name} attribute not permitted without target ${of}`);
    }
    if (n === undefined || n < min || n > 65535) throw detail(`${invalid} ${of}`);
    return n;
  };
  return {
    service,
    protocol,
    domain,
    target,
    port: num("port", "invalid DNS SRV port attribute", 1),
    priority: num("priority", "Invalid DNS SRV priority attribute", 0),
    weight: num("weight", "invalid DNS SRV weight attribute", 0),
  };
}

/** A `<portgroup>`: `default` is yes in any case, everything else as the network's own. */
export function parsePortGroup(el: XmlElement): PortGroup {
  const name = el.attributes.name;
  // virXPathString: an empty name is no name.
  if (!name) throw xmlErr("Missing required name attribute in portgroup");
  const pg: PortGroup = {
    name,
    isDefault: (el.attributes.default ?? "").toLowerCase() === "yes",
    trustGuestRxFilters: tristate(el, "trustGuestRxFilters"),
  };
  const vp = child(el, "virtualport");
  if (vp) pg.virtualPort = parseVirtualPort(vp, false);
  const bw = child(el, "bandwidth");
  if (bw) pg.bandwidth = parseBandwidth(bw);
  const vlan = child(el, "vlan");
  if (vlan) pg.vlan = parseVlan(vlan);
  return pg;
}
