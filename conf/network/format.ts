import { dnsmasqNamespaceAttribute, formatDnsmasqNamespace } from "./dnsmasq_namespace.ts";
import { VIR } from "../../util/constants.ts";
import { element, stringify, type XmlElement } from "../../util/xml/mod.ts";
import {
  formatBandwidth,
  formatMetadata,
  formatPciAddress,
  formatVirtualPort,
  formatVlan,
  yesNo,
} from "../common/mod.ts";
import type { Lease, NetworkDef, NetworkDns, NetworkIp, PortGroup } from "./model.ts";
import { routeElement } from "./route.ts";

function lease(l: Lease | undefined): XmlElement | undefined {
  if (!l) return undefined;
  return element("lease", {
    expiry: l.expiry,
    unit: l.expiry ? l.unit : undefined,
  });
}

function formatIp(ip: NetworkIp): XmlElement {
  const dhcp = (ip.ranges.length > 0 || ip.hosts.length > 0) &&
    element("dhcp", {}, [
      ...ip.ranges.map((r) => element("range", { start: r.start, end: r.end }, [lease(r.lease)])),
      ...ip.hosts.map((h) =>
        element("host", { mac: h.mac, id: h.id, name: h.name, ip: h.ip }, [lease(h.lease)])
      ),
      ip.bootp && element("bootp", { file: ip.bootp.file, server: ip.bootp.server }),
    ]);
  const el = element("ip", {
    family: ip.family,
    address: ip.address,
    netmask: ip.netmask,
    prefix: ip.prefix ? ip.prefix : undefined,
    localPtr: yesNo(ip.localPtr),
  }, [ip.tftpRoot !== undefined && element("tftp", { root: ip.tftpRoot }), dhcp]);
  el.keepOpen = true;
  return el;
}

function formatDns(dns: NetworkDns): XmlElement | undefined {
  const hasData = dns.forwarders.length || dns.hosts.length || dns.srvs.length ||
    dns.txts.length;
  if (dns.enable === undefined && dns.forwardPlainNames === undefined && !hasData) {
    return undefined;
  }
  return element("dns", {
    enable: yesNo(dns.enable),
    forwardPlainNames: yesNo(dns.forwardPlainNames),
  }, [
    ...dns.forwarders.map((f) => element("forwarder", { domain: f.domain, addr: f.addr })),
    ...dns.txts.map((t) => element("txt", { name: t.name, value: t.value })),
    ...dns.srvs.map((s) =>
      element("srv", {
        service: s.service,
        protocol: s.protocol,
        domain: s.domain,
        target: s.target,
        port: s.port || undefined,
        priority: s.priority || undefined,
        weight: s.weight || undefined,
      })
    ),
    ...dns.hosts.map((h) =>
      element("host", { ip: h.ip }, h.hostnames.map((n) => element("hostname", {}, [n])))
    ),
  ]);
}

function formatPortGroup(pg: PortGroup): XmlElement {
  const el = element("portgroup", {
    name: pg.name,
    default: pg.isDefault ? "yes" : undefined,
    trustGuestRxFilters: yesNo(pg.trustGuestRxFilters),
  }, [
    pg.vlan && formatVlan(pg.vlan),
    pg.virtualPort && formatVirtualPort(pg.virtualPort),
    pg.bandwidth && formatBandwidth(pg.bandwidth),
  ]);
  el.keepOpen = true;
  return el;
}

function formatForward(def: NetworkDef, inactive: boolean): XmlElement | undefined {
  const fwd = def.forward;
  if (fwd.mode === "none") return undefined;
  const first = fwd.ifs[0];
  const dev = fwd.pf === undefined && first?.type === "netdev" ? first.dev : undefined;
  const nat = fwd.nat;
  const natHasBody = nat !== undefined &&
    (nat.addressStart !== undefined || nat.addressEnd !== undefined || !!nat.portStart ||
      !!nat.portEnd);
  const natEl = fwd.mode === "nat" && nat && (natHasBody || nat.ipv6 !== undefined) &&
    element("nat", { ipv6: yesNo(nat.ipv6) }, [
      nat.addressStart !== undefined &&
      element("address", { start: nat.addressStart, end: nat.addressEnd }),
      (!!nat.portStart || !!nat.portEnd) &&
      element("port", { start: nat.portStart ?? 0, end: nat.portEnd || undefined }),
    ]);
  const showIfs = fwd.pf === undefined || !inactive;
  return element("forward", {
    dev,
    mode: fwd.mode,
    managed: fwd.mode === "hostdev" ? (fwd.managed ? "yes" : "no") : undefined,
  }, [
    fwd.driverName && element("driver", { name: fwd.driverName }),
    natEl,
    fwd.pf !== undefined && element("pf", { dev: fwd.pf }),
    ...(showIfs ? fwd.ifs : []).map((i) =>
      i.type === "netdev" ? element("interface", { dev: i.dev }) : formatPciAddress(i.address, true)
    ),
  ]);
}

function formatBridge(def: NetworkDef): XmlElement | undefined {
  const l3 = ["none", "nat", "route", "open"].includes(def.forward.mode);
  const b = def.bridge;
  if (!l3 && b.name === undefined && b.macTableManager === undefined) return undefined;
  return element("bridge", {
    name: b.name,
    zone: b.zone,
    stp: l3 ? (b.stp ? "on" : "off") : undefined,
    delay: l3 ? b.delay : undefined,
    macTableManager: b.macTableManager,
  });
}

const METADATA_MARK = "\0metadata\0";

/**
 * Formats a network like libvirt 9.0's virNetworkDefFormat. `flags` may hold
 * `VIR.NETWORK_XML_INACTIVE`, which hides live-only data (connection counts, and the
 * interfaces found behind a `<pf>`).
 *
 * @example
 * ```ts
 * import { formatNetworkXML, parseNetworkXML } from "./mod.ts";
 * formatNetworkXML(parseNetworkXML("<network><name>n</name><uuid>81ff0d90-c91e-6742-64da-4a736edb9a9b</uuid></network>"));
 * // "<network>\n  <name>n</name>\n  <uuid>81ff…</uuid>\n  <bridge stp='on' delay='0'/>\n</network>\n"
 * ```
 */
export function formatNetworkXML(def: NetworkDef, flags = 0): string {
  const inactive = (flags & VIR.NETWORK_XML_INACTIVE) !== 0;
  const root = element("network", {
    ...(def.dnsmasqOptions && dnsmasqNamespaceAttribute()),
    connections: !inactive && def.connections ? def.connections : undefined,
    ipv6: def.ipv6 ? "yes" : undefined,
    trustGuestRxFilters: yesNo(def.trustGuestRxFilters),
  }, [
    element("name", {}, [def.name]),
    def.uuid ? element("uuid", {}, [def.uuid]) : undefined,
    def.metadata && element(METADATA_MARK),
    formatForward(def, inactive),
    formatBridge(def),
    def.mtu !== undefined && def.mtu !== 0 && element("mtu", { size: def.mtu }),
    def.mac !== undefined && element("mac", { address: def.mac }),
    def.domain && element("domain", {
      name: def.domain.name,
      localOnly: yesNo(def.domain.localOnly),
    }),
    formatDns(def.dns),
    def.vlan && formatVlan(def.vlan),
    def.bandwidth && formatBandwidth(def.bandwidth),
    def.isolatedPort !== undefined && element("port", { isolated: yesNo(def.isolatedPort) }),
    ...def.ips.map(formatIp),
    ...def.routes.map(routeElement),
    def.virtualPort && formatVirtualPort(def.virtualPort),
    ...def.portGroups.map(formatPortGroup),
    def.dnsmasqOptions && formatDnsmasqNamespace(def.dnsmasqOptions),
  ]);
  const out = stringify(root);
  const metadata = def.metadata;
  return metadata ? out.replace(`<${METADATA_MARK}/>`, () => formatMetadata(metadata, 1)) : out;
}
