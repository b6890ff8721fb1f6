/**
 * The files libvirt writes for a network's dnsmasq (`networkDnsmasqConfContents` and
 * virdnsmasq.c): the configuration, the `dhcp-hostsfile` of static DHCP hosts and the
 * `addn-hosts` file of `<dns><host>` names, byte for byte as libvirt 9.0 writes them.
 *
 * @module
 */
import type { Lease, NetworkDef, NetworkIp } from "../../conf/network/mod.ts";
import { VirError } from "../../util/errors.ts";
import { ipPrefix, ipsOf, isIPv6, netmaskOf, rangeSize } from "./addr.ts";
import { parseIPv4, parseIPv6 } from "../../conf/common/ip_addr.ts";

/** Where the dnsmasq files of one network live. */
export interface DnsmasqFiles {
  /** `NAME.pid`, written by dnsmasq (none: dnsmasq keeps no pid file). */
  pidFile?: string;
  /** `NAME.hostsfile`. */
  hostsFile: string;
  /** `NAME.addnhosts`. */
  addnHostsFile: string;
}

/** The contents of a network's dnsmasq files. */
export interface DnsmasqContents {
  /** The configuration (`--conf-file`). */
  conf: string;
  /** The static DHCP hosts, one a line. */
  hosts: string;
  /** The `<dns><host>` names: `IP\tNAME\t…` lines. */
  addnHosts: string;
}

/**
 * `virBufferEscapeString`'s XML escaping, which libvirt applies to the file names.
 *
 * @example
 * ```ts
 * import { escapeName } from "./dnsmasq_conf.ts";
 * escapeName("a'b"); // "a&apos;b"
 * ```
 */
export function escapeName(name: string): string {
  return name.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!,
  );
}

/** `networkBuildDnsmasqLeaseTime`. */
function leaseTime(lease: Lease | undefined): string | undefined {
  if (!lease) return undefined;
  return lease.expiry === 0 ? "infinite" : `${lease.expiry}${lease.unit[0]}`;
}

/** `virSocketAddrPTRDomain`: the reverse zone of an `<ip localPtr='yes'>`. */
function ptrDomain(ip: NetworkIp): string {
  const prefix = ipPrefix(ip);
  const v6 = isIPv6(ip);
  if (prefix % (v6 ? 4 : 8) !== 0 || prefix === 0) {
    throw VirError.bare(
      "NETWORK",
      "CONFIG_UNSUPPORTED",
      `unsupported configuration: PTR domain for ${
        v6 ? "IPv6" : "IPv4"
      } network with prefix ${prefix} cannot be automatically created`,
    );
  }
  if (!v6) {
    const bytes = parseIPv4(ip.address!)!.slice(0, prefix / 8).reverse();
    return `${bytes.join(".")}.in-addr.arpa`;
  }
  const nibbles = parseIPv6(ip.address!)!.flatMap((w) =>
    [12, 8, 4, 0].map((s) => ((w >> s) & 15).toString(16))
  );
  return `${nibbles.slice(0, prefix / 4).reverse().join(".")}.ip6.arpa`;
}

/** `hostsfileAdd`: one line of the DHCP hosts file. */
function dhcpHostLine(h: NetworkIp["hosts"][number], v6: boolean): string {
  let line: string;
  if (v6) {
    const id = h.id !== undefined ? `id:${h.id}` : undefined;
    line = `${[id, h.name].filter((x) => x !== undefined).join(",")},[${h.ip}]`;
  } else if (h.name !== undefined && h.mac !== undefined) line = `${h.mac},${h.ip},${h.name}`;
  else if (h.name !== undefined) line = `${h.name},${h.ip}`;
  else line = `${h.mac},${h.ip}`;
  const lt = leaseTime(h.lease);
  return lt ? `${line},${lt}` : line;
}

/** `networkDnsmasqConfDHCP` for the IPv4 or IPv6 `<ip>` serving DHCP. */
function dhcpSection(ip: NetworkIp, out: string[], hosts: string[]): number {
  const v6 = isIPv6(ip);
  const prefix = ipPrefix(ip);
  let leases = 0;
  for (const r of ip.ranges) {
    let line = `dhcp-range=${r.start},${r.end},${v6 ? prefix : netmaskOf(prefix)}`;
    const lt = leaseTime(r.lease);
    if (lt) line += `,${lt}`;
    out.push(line);
    leases += rangeSize(r.start, r.end);
  }
  if (!ip.ranges.length && ip.hosts.length) {
    out.push(`dhcp-range=${ip.address},static${v6 ? `,${prefix}` : ""}`);
  }
  for (const h of ip.hosts) if (h.ip !== undefined) hosts.push(dhcpHostLine(h, v6));
  if (!v6) {
    if (ip.ranges.length || ip.hosts.length) out.push("dhcp-no-override", "dhcp-authoritative");
    if (ip.bootp) {
      out.push(`dhcp-boot=${ip.bootp.file}${ip.bootp.server ? `,,${ip.bootp.server}` : ""}`);
    }
  }
  return leases;
}

/** The `<ip>` serving DHCP of one family, refusing a second one as libvirt does. */
function dhcpIp(def: NetworkDef, family: "ipv4" | "ipv6"): NetworkIp | undefined {
  const serving = ipsOf(def, family).filter((ip) => ip.ranges.length || ip.hosts.length);
  if (serving.length > 1) {
    throw VirError.bare(
      "NETWORK",
      "CONFIG_UNSUPPORTED",
      `unsupported configuration: For ${
        family === "ipv4" ? "IPv4" : "IPv6"
      }, multiple DHCP definitions cannot be specified.`,
    );
  }
  return serving[0];
}

/**
 * `networkDnsmasqConfContents`: the dnsmasq configuration of a network (its bridge name
 * assigned), its static DHCP hosts and its DNS hosts.
 *
 * @example
 * ```ts
 * import { dnsmasqContents } from "./dnsmasq_conf.ts";
 * import { parseNetworkXML } from "../../conf/network/mod.ts";
 * const def = parseNetworkXML("<network><name>n</name><bridge name='virbr1'/><ip address='10.0.0.1' prefix='24'/></network>");
 * const c = dnsmasqContents(def, { pidFile: "/r/n.pid", hostsFile: "/d/n.hostsfile", addnHostsFile: "/d/n.addnhosts" });
 * c.conf.includes("interface=virbr1\n"); // true
 * ```
 */
export function dnsmasqContents(def: NetworkDef, files: DnsmasqFiles): DnsmasqContents {
  const dns = def.dns;
  const wantDNS = dns.enable !== false;
  const out = [
    "##WARNING:  THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE",
    "##OVERWRITTEN AND LOST.  Changes to this configuration should be made using:",
    `##    virsh net-edit ${def.name}`,
    "## or other application using the libvirt API.",
    "##",
    "## dnsmasq conf file created by libvirt",
    "strict-order",
  ];
  if (!wantDNS) out.push("port=0");
  if (wantDNS && dns.forwarders.length) {
    let noResolv = false;
    for (const f of dns.forwarders) {
      const domain = f.domain !== undefined ? `/${f.domain}/` : "";
      out.push(`server=${domain}${f.addr ?? "#"}`);
      if (f.addr !== undefined && f.domain === undefined) noResolv = true;
    }
    if (noResolv) out.push("no-resolv");
  }
  if (def.domain) {
    if (def.domain.localOnly === true) out.push(`local=/${def.domain.name}/`);
    out.push(`domain=${def.domain.name}`, "expand-hosts");
  }
  if (wantDNS) {
    for (const ip of def.ips) if (ip.localPtr === true) out.push(`local=/${ptrDomain(ip)}/`);
    if (dns.forwardPlainNames === false) out.push("domain-needed", "local=//");
  }
  if (files.pidFile) out.push(`pid-file=${files.pidFile}`);
  out.push("except-interface=lo", "bind-dynamic");
  out.push(`interface=${def.bridge.name}`);
  if (def.forward.mode === "none") out.push("dhcp-option=3", "no-resolv", "ra-param=*,0,0");
  if (wantDNS) {
    for (const t of dns.txts) out.push(`txt-record=${t.name},${t.value}`);
    for (const s of dns.srvs) {
      let line = `srv-host=_${s.service}._${s.protocol}`;
      if (s.domain !== undefined) line += `.${s.domain}`;
      if (s.target !== undefined && s.target !== ".") {
        line += `,${s.target}`;
        if (s.port || s.priority || s.weight) line += `,${s.port || 1}`;
        if (s.priority || s.weight) line += `,${s.priority ?? 0}`;
        if (s.weight) line += `,${s.weight}`;
      }
      out.push(line);
    }
  }
  for (const ip of ipsOf(def, "ipv4")) {
    if (ip.tftpRoot === undefined) continue;
    if (!out.includes("enable-tftp")) out.push("enable-tftp");
    out.push(`tftp-root=${ip.tftpRoot}`);
  }
  const v4 = dhcpIp(def, "ipv4");
  const v6 = dhcpIp(def, "ipv6");
  const hosts: string[] = [];
  let leases = 0;
  if (v4) leases += dhcpSection(v4, out, hosts);
  if (v6) leases += dhcpSection(v6, out, hosts);
  if (leases > 0) out.push(`dhcp-lease-max=${leases}`);
  if (v4 || v6) out.push(`dhcp-hostsfile=${files.hostsFile}`);
  if (wantDNS) out.push(`addn-hosts=${files.addnHostsFile}`);
  if (def.mtu) out.push(`dhcp-option=option:mtu,${def.mtu}`);
  if (v6) out.push("enable-ra");
  else {
    for (const ip of ipsOf(def, "ipv6")) {
      if (!ip.ranges.length && !ip.hosts.length) out.push(`dhcp-range=${ip.address},ra-only`);
    }
  }
  // The dnsmasq namespace's options, as written, last.
  out.push(...def.dnsmasqOptions ?? []);
  const names = new Map<string, string[]>();
  for (const h of dns.hosts) {
    for (const n of h.hostnames) names.set(h.ip, [...(names.get(h.ip) ?? []), n]);
  }
  const addnHosts = [...names].map(([ip, ns]) => `${ip}\t${ns.map((n) => `${n}\t`).join("")}\n`);
  return {
    conf: out.map((l) => `${l}\n`).join(""),
    hosts: hosts.map((h) => `${h}\n`).join(""),
    addnHosts: addnHosts.join(""),
  };
}
