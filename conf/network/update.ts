/**
 * `virNetworkDefUpdateSection` (src/conf/network_conf.c): applies one `virNetworkUpdate`
 * command to a network definition in place. libvirt 9.0 updates the DHCP hosts and ranges, the
 * forward interfaces, the portgroups and the DNS hosts, TXT and SRV records; it refuses the
 * bridge, domain, ip, forward and forward-pf sections.
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
import { parse } from "../../util/xml/mod.ts";
import type { NetworkDef } from "./model.ts";
import { type SectionUpdater, unsupported } from "./update_common.ts";
import { updateDhcpHost, updateDhcpRange } from "./update_dhcp.ts";
import { updateDnsHost, updateDnsSrv, updateDnsTxt } from "./update_dns.ts";
import { updateForwardInterface } from "./update_forward.ts";
import { updatePortGroup } from "./update_portgroup.ts";

/** Each section's updater, or the name libvirt's "can't update" error gives it. */
const SECTIONS: Record<number, SectionUpdater | string> = {
  [VIR.NETWORK_SECTION_BRIDGE]: "bridge",
  [VIR.NETWORK_SECTION_DOMAIN]: "domain",
  [VIR.NETWORK_SECTION_IP]: "ip",
  [VIR.NETWORK_SECTION_IP_DHCP_HOST]: updateDhcpHost,
  [VIR.NETWORK_SECTION_IP_DHCP_RANGE]: updateDhcpRange,
  [VIR.NETWORK_SECTION_FORWARD]: "forward",
  [VIR.NETWORK_SECTION_FORWARD_INTERFACE]: updateForwardInterface,
  [VIR.NETWORK_SECTION_FORWARD_PF]: "forward pf",
  [VIR.NETWORK_SECTION_PORTGROUP]: updatePortGroup,
  [VIR.NETWORK_SECTION_DNS_HOST]: updateDnsHost,
  [VIR.NETWORK_SECTION_DNS_TXT]: updateDnsTxt,
  [VIR.NETWORK_SECTION_DNS_SRV]: updateDnsSrv,
};

/**
 * Applies `command` with the element `xml` to `section` of `def` (in place), with libvirt's
 * errors; on an error `def` is unchanged.
 */
export function updateNetworkSection(
  def: NetworkDef,
  command: number,
  section: number,
  parentIndex: number,
  xml: string,
): void {
  // virNetworkDefUpdateSection parses the document before it looks at the section.
  const el = parse(xml, { context: "network_update_xml", errorDomain: "NETWORK" });
  const updater = Object.hasOwn(SECTIONS, section) ? SECTIONS[section] : undefined;
  if (updater === undefined) throw unsupported("can't update unrecognized section of network");
  if (typeof updater === "string") {
    throw unsupported(`can't update '${updater}' section of network '${def.name}'`);
  }
  updater(def, command, parentIndex, el);
}
