/**
 * `networkGetDHCPLeases` over dnsmasq's own lease file (see dnsmasq.ts for why not libvirt's
 * leases helper): one lease a line, `EXPIRY MAC IP HOSTNAME CLIENTID` for DHCPv4, then after a
 * `duid` line `EXPIRY IAID IP HOSTNAME DUID` for DHCPv6, `*` for an unknown field, expiry 0 for
 * an infinite lease.
 *
 * @module
 */
import type { NetworkDef } from "../../conf/network/mod.ts";
import { VIR } from "../../util/constants.ts";
import { ipPrefix, ipsOf } from "./addr.ts";

/** One lease as `virNetworkDHCPLease` (the fields python-libvirt names). */
export interface DHCPLease {
  iface: string;
  expirytime: number;
  type: number;
  mac?: string;
  iaid?: string;
  ipaddr: string;
  prefix: number;
  hostname?: string;
  clientid?: string;
}

const known = (v: string | undefined) => v === undefined || v === "*" ? undefined : v;

/**
 * The leases of a network from its lease file text, without expired ones and, given `mac`,
 * only that MAC's.
 *
 * @example
 * ```ts
 * import { parseLeases } from "./leases.ts";
 * import { parseNetworkXML } from "../../conf/network/mod.ts";
 * const def = parseNetworkXML("<network><name>n</name><bridge name='virbr1'/><ip address='10.0.0.1' prefix='24'/></network>");
 * parseLeases("0 52:54:00:00:00:01 10.0.0.5 vm1 *\n", def, undefined, 0)[0].hostname; // "vm1"
 * ```
 */
export function parseLeases(
  text: string,
  def: NetworkDef,
  mac: string | undefined,
  now: number,
): DHCPLease[] {
  const out: DHCPLease[] = [];
  let v6 = false;
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 3) continue;
    if (f[0] === "duid") {
      v6 = true;
      continue;
    }
    const expiry = Number(f[0]);
    if (expiry > 0 && expiry < now) continue;
    const leaseMac = v6 ? undefined : f[1].toLowerCase();
    if (mac !== undefined && leaseMac !== mac.toLowerCase()) continue;
    const ip = ipsOf(def, v6 ? "ipv6" : "ipv4")[0];
    out.push({
      iface: def.bridge.name ?? "",
      expirytime: expiry,
      type: v6 ? VIR.IP_ADDR_TYPE_IPV6 : VIR.IP_ADDR_TYPE_IPV4,
      mac: leaseMac,
      iaid: v6 ? f[1] : undefined,
      ipaddr: f[2],
      prefix: ip ? ipPrefix(ip) : 0,
      hostname: known(f[3]),
      clientid: known(f[4]),
    });
  }
  return out;
}
