/**
 * `virNetworkUpdate` of an `<ip>`'s `<dhcp>` lists (virNetworkDefUpdateIPDHCPHost and
 * virNetworkDefUpdateIPDHCPRange, src/conf/network_conf.c): the `<ip>` chosen by parentIndex
 * (or, for -1, the one with DHCP, else the first IPv4, else the first IPv6), at most one `<ip>`
 * of a family with DHCP, hosts matched by MAC, name or address, ranges by both ends.
 *
 * @example
 * ```ts
 * import { updateDhcpRange } from "./update_dhcp.ts";
 * import { parseNetworkXML } from "./parse.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * import { VIR } from "../../util/constants.ts";
 * const def = parseNetworkXML("<network><name>n</name><ip address='10.0.0.1' prefix='24'/></network>");
 * updateDhcpRange(def, VIR.NETWORK_UPDATE_COMMAND_ADD_LAST, -1,
 *   parse("<range start='10.0.0.2' end='10.0.0.9'/>"));
 * def.ips[0].ranges.length; // 1
 * ```
 * @module
 */
import { VIR } from "../../util/constants.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { parseIpAddress, parseMac } from "../common/mod.ts";
import { parseDhcpHost, parseDhcpRange } from "./entries.ts";
import type { NetworkDef, NetworkIp } from "./model.ts";
import {
  addEntry,
  checkElementName,
  invalid,
  isAdd,
  type SectionUpdater,
  unknownCommand,
  unsupported,
} from "./update_common.ts";

type DhcpHost = NetworkIp["hosts"][number];

const familyOf = (address: string | undefined) =>
  address === undefined ? undefined : parseIpAddress(address)?.family;
const sameIp = (a?: string, b?: string) =>
  a !== undefined && b !== undefined && parseIpAddress(a)?.text === parseIpAddress(b)?.text;
const sameMac = (a?: string, b?: string) =>
  a !== undefined && b !== undefined && parseMac(a) === parseMac(b);
const hasDhcp = (ip: NetworkIp) => ip.ranges.length > 0 || ip.hosts.length > 0;

/** virNetworkIPDefByIndex: the `<ip>` whose DHCP lists an update changes. */
function ipByIndex(def: NetworkDef, parentIndex: number): NetworkIp {
  if (parentIndex >= 0) {
    const ip = def.ips[parentIndex];
    if (!ip) {
      throw invalid(
        `couldn't update dhcp host entry - no <ip> element found at index ${parentIndex} ` +
          `in network '${def.name}'`,
      );
    }
    return ip;
  }
  const ip = def.ips.find(hasDhcp) ??
    def.ips.find((i) => familyOf(i.address) === "ipv4") ??
    def.ips.find((i) => familyOf(i.address) === "ipv6");
  if (!ip) {
    throw invalid(
      `couldn't update dhcp host entry - no <ip> element found in network '${def.name}'`,
    );
  }
  return ip;
}

/** virNetworkDefUpdateCheckMultiDHCP: no other `<ip>` of the family may have DHCP. */
function checkMultiDhcp(def: NetworkDef, ip: NetworkIp): void {
  const family = familyOf(ip.address);
  if (
    def.ips.some((other) => other !== ip && familyOf(other.address) === family && hasDhcp(other))
  ) {
    throw invalid(
      `dhcp is supported only for a single ${family === "ipv4" ? "IPv4" : "IPv6"} address ` +
        "on each network",
    );
  }
}

/** virNetworkDefUpdateIPDHCPHost. */
export const updateDhcpHost: SectionUpdater = (def, command, parentIndex, el: XmlElement) => {
  // libvirt looks the <ip> up first, but a wrong element name's error replaces its error.
  checkElementName(def, el, "host");
  const ip = ipByIndex(def, parentIndex);
  const partial = command === VIR.NETWORK_UPDATE_COMMAND_DELETE;
  const host: DhcpHost = parseDhcpHost(el, def.name, familyOf(ip.address) === "ipv6", partial);
  if (!partial && familyOf(host.ip) !== familyOf(ip.address)) {
    throw invalid(
      "the address family of a host entry IP must match the address family of the dhcp " +
        "element's parent",
    );
  }
  const anyMatch = (h: DhcpHost) =>
    sameMac(host.mac, h.mac) || sameIp(host.ip, h.ip) ||
    (host.name !== undefined && host.name === h.name);
  const mac = host.mac ?? "unknown";
  const name = host.name ?? "(null)";
  const addr = host.ip ?? "unknown";
  if (command === VIR.NETWORK_UPDATE_COMMAND_MODIFY) {
    const i = ip.hosts.findIndex(anyMatch);
    if (i < 0) {
      throw invalid(
        `couldn't locate an existing dhcp host entry with "mac='${mac}'" "name='${name}'" ` +
          `"ip='${addr}'" in network '${def.name}'`,
      );
    }
    ip.hosts[i] = host;
  } else if (isAdd(command)) {
    checkMultiDhcp(def, ip);
    if (ip.hosts.some(anyMatch)) {
      throw invalid(
        `there is an existing dhcp host entry in network '${def.name}' that matches ` +
          `"<host mac='${mac}' name='${name}' ip='${addr}'/>"`,
      );
    }
    addEntry(ip.hosts, host, command);
  } else if (command === VIR.NETWORK_UPDATE_COMMAND_DELETE) {
    // Every attribute given must match; one missing on either side matches anything.
    const i = ip.hosts.findIndex((h) =>
      (host.mac === undefined || h.mac === undefined || sameMac(host.mac, h.mac)) &&
      (host.name === undefined || host.name === h.name) &&
      (host.ip === undefined || sameIp(host.ip, h.ip))
    );
    if (i < 0) {
      throw invalid(`couldn't locate a matching dhcp host entry in network '${def.name}'`);
    }
    ip.hosts.splice(i, 1);
  } else {
    throw unknownCommand(command);
  }
};

/** virNetworkDefUpdateIPDHCPRange: ranges are added or deleted, never modified. */
export const updateDhcpRange: SectionUpdater = (def, command, parentIndex, el) => {
  checkElementName(def, el, "range");
  const ip = ipByIndex(def, parentIndex);
  if (command === VIR.NETWORK_UPDATE_COMMAND_MODIFY) {
    throw unsupported("dhcp ranges cannot be modified, only added or deleted");
  }
  const range = parseDhcpRange(el, def.name, ip);
  if (familyOf(range.start) !== familyOf(ip.address)) {
    throw invalid(
      "the address family of a dhcp range must match the address family of the dhcp " +
        "element's parent",
    );
  }
  const i = ip.ranges.findIndex((r) => sameIp(r.start, range.start) && sameIp(r.end, range.end));
  if (isAdd(command)) {
    checkMultiDhcp(def, ip);
    if (i >= 0) {
      throw invalid(
        `there is an existing dhcp range entry in network '${def.name}' that matches ` +
          `"<range start='${range.start}' end='${range.end}'/>"`,
      );
    }
    addEntry(ip.ranges, range, command);
  } else if (command === VIR.NETWORK_UPDATE_COMMAND_DELETE) {
    if (i < 0) {
      throw invalid(`couldn't locate a matching dhcp range entry in network '${def.name}'`);
    }
    ip.ranges.splice(i, 1);
  } else {
    throw unknownCommand(command);
  }
};
