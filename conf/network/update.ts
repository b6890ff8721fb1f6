/**
 * `virNetworkDefUpdateSection` (src/conf/network_conf.c): applies one `virNetworkUpdate`
 * command to a network definition in place. The DHCP host section is modelled; the sections
 * libvirt 9.0 cannot update report its "can't update" error.
 *
 * @example
 * ```ts
 * import { updateNetworkSection } from "./update.ts";
 * import { parseNetworkXML } from "./parse.ts";
 * const def = parseNetworkXML(
 *   "<network><name>n</name><ip address='10.0.0.1' prefix='24'><dhcp/></ip></network>",
 * );
 * updateNetworkSection(def, 3, 4, -1, "<host mac='52:54:00:00:00:01' ip='10.0.0.2'/>");
 * def.ips[0].hosts.length; // 1
 * ```
 * @module
 */
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import { parse, type XmlElement } from "../../util/xml/mod.ts";
import { parseIpAddress, parseMac } from "../common/mod.ts";
import type { NetworkDef, NetworkIp } from "./model.ts";
import { parseDhcpHost } from "./parse.ts";

type DhcpHost = NetworkIp["hosts"][number];

/** Sections libvirt 9.0 refuses to update, with the name its error uses. */
const NO_SUPPORT: Record<number, string> = {
  [VIR.NETWORK_SECTION_BRIDGE]: "bridge",
  [VIR.NETWORK_SECTION_DOMAIN]: "domain",
  [VIR.NETWORK_SECTION_IP]: "ip",
  [VIR.NETWORK_SECTION_FORWARD]: "forward",
  [VIR.NETWORK_SECTION_FORWARD_PF]: "forward pf",
};

/** The sections whose updater starts with virNetworkDefUpdateCheckElementName, and the name. */
const FIRST_CHECKED_NAME: Record<number, string> = {
  [VIR.NETWORK_SECTION_FORWARD_INTERFACE]: "interface",
  [VIR.NETWORK_SECTION_PORTGROUP]: "portgroup",
};

const invalid = (msg: string) => VirError.report("NETWORK", "OPERATION_INVALID", msg);
const noSupport = (msg: string) => VirError.report("NETWORK", "OPERATION_UNSUPPORTED", msg);

const isV6 = (ip: NetworkIp) => ip.family === "ipv6" || (ip.address ?? "").includes(":");

/** virNetworkIPDefByIndex: the `<ip>` a DHCP update applies to. */
function dhcpIp(def: NetworkDef, parentIndex: number): NetworkIp {
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
  // -1: the one <ip> that has DHCP, else the first IPv4 one.
  const withDhcp = def.ips.filter((ip) => ip.ranges.length || ip.hosts.length);
  if (withDhcp.length > 1) {
    throw invalid(
      `dhcp is enabled on multiple IP addresses in network '${def.name}', ` +
        "you must specify which one",
    );
  }
  const ip = withDhcp[0] ?? def.ips.find((i) => !isV6(i));
  if (!ip) {
    throw invalid(
      `couldn't update dhcp host entry - no <ip family='ipv4'> element found in network ` +
        `'${def.name}'`,
    );
  }
  return ip;
}

const sameMac = (a?: string, b?: string) =>
  a !== undefined && b !== undefined && parseMac(a) === parseMac(b);
const sameIp = (a?: string, b?: string) =>
  a !== undefined && b !== undefined && parseIpAddress(a)?.text === parseIpAddress(b)?.text;

/** C's printf of a NULL string. */
const nullable = (s: string | undefined) => s ?? "(null)";

function updateDhcpHost(
  def: NetworkDef,
  command: number,
  parentIndex: number,
  el: XmlElement,
): void {
  // libvirt looks the <ip> up first, but a wrong element name's error replaces its error.
  checkElementName(def, el, "host");
  const ip = dhcpIp(def, parentIndex);
  const partial = command === VIR.NETWORK_UPDATE_COMMAND_DELETE;
  const host: DhcpHost = parseDhcpHost(el, def.name, isV6(ip), partial);
  if (!partial && host.ip !== undefined && host.ip.includes(":") !== isV6(ip)) {
    throw invalid(
      "the address family of a host entry IP must match the address family of the dhcp " +
        "element's parent",
    );
  }
  const anyMatch = (h: DhcpHost) =>
    sameMac(host.mac, h.mac) || sameIp(host.ip, h.ip) ||
    (host.name !== undefined && host.name === h.name);
  const described = `mac='${host.mac ?? "unknown"}'`;
  if (command === VIR.NETWORK_UPDATE_COMMAND_MODIFY) {
    const i = ip.hosts.findIndex(anyMatch);
    if (i < 0) {
      throw invalid(
        `couldn't locate an existing dhcp host entry with "${described}" ` +
          `"name='${nullable(host.name)}'" "ip='${nullable(host.ip)}'" in network '${def.name}'`,
      );
    }
    ip.hosts[i] = host;
  } else if (
    command === VIR.NETWORK_UPDATE_COMMAND_ADD_FIRST ||
    command === VIR.NETWORK_UPDATE_COMMAND_ADD_LAST
  ) {
    if (ip.hosts.some(anyMatch)) {
      throw invalid(
        `there is an existing dhcp host entry in network '${def.name}' that matches ` +
          `"<host ${described} name='${nullable(host.name)}' ip='${nullable(host.ip)}'/>"`,
      );
    }
    if (command === VIR.NETWORK_UPDATE_COMMAND_ADD_FIRST) ip.hosts.unshift(host);
    else ip.hosts.push(host);
  } else if (command === VIR.NETWORK_UPDATE_COMMAND_DELETE) {
    // Every attribute given must match; a missing one matches anything.
    const i = ip.hosts.findIndex((h) =>
      (host.mac === undefined || sameMac(host.mac, h.mac)) &&
      (host.name === undefined || host.name === h.name) &&
      (host.ip === undefined || sameIp(host.ip, h.ip))
    );
    if (i < 0) {
      throw invalid(`couldn't locate a matching dhcp host entry in network '${def.name}'`);
    }
    ip.hosts.splice(i, 1);
  } else {
    throw noSupport(`unrecognized network update command code ${command}`);
  }
}

/** virNetworkDefUpdateCheckElementName. */
function checkElementName(def: NetworkDef, el: XmlElement, name: string): void {
  if (el.name !== name) {
    throw VirError.report(
      "NETWORK",
      "XML_ERROR",
      `unexpected element <${el.name}>, expecting <${name}>, while updating network ` +
        `'${def.name}'`,
    );
  }
}

/**
 * Applies `command` with the element `xml` to `section` of `def` (in place), with libvirt's
 * errors. Sections libvirt can update but edgevirt does not model yet report VIR_ERR_NO_SUPPORT
 * naming the section.
 */
export function updateNetworkSection(
  def: NetworkDef,
  command: number,
  section: number,
  parentIndex: number,
  xml: string,
): void {
  // virNetworkDefUpdateSection parses the document before it looks at the section.
  const el = parse(xml, { context: "(network_update_xml)", errorDomain: "NETWORK" });
  const refused = NO_SUPPORT[section];
  if (refused !== undefined) {
    throw noSupport(`can't update '${refused}' section of network '${def.name}'`);
  }
  // These sections' updaters check the element's name before anything else.
  const first = FIRST_CHECKED_NAME[section];
  if (first !== undefined) checkElementName(def, el, first);
  if (section !== VIR.NETWORK_SECTION_IP_DHCP_HOST) {
    throw noSupport(
      section >= VIR.NETWORK_SECTION_BRIDGE && section <= VIR.NETWORK_SECTION_DNS_SRV
        ? `edgevirt cannot update section ${section} of network '${def.name}' yet`
        : "can't update unrecognized section of network",
    );
  }
  updateDhcpHost(def, command, parentIndex, el);
}
