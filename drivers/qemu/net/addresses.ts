/**
 * `virDomainInterfaceAddresses` of the QEMU driver (libvirt's `qemuDomainInterfaceAddresses`):
 * from the DHCP leases of the network each network NIC is on (`virDomainNetDHCPInterfaces`), or
 * from the host's ARP table (`virDomainNetARPInterfaces`); the guest agent's source is the
 * agent's (`agent/`). The DHCP leases also give `virDomainGetHostname` its LEASE source.
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { VIR } from "../../../util/constants.ts";
import { VirError } from "../../../util/errors.ts";
import type { QemuSecondaries } from "../secondaries.ts";

/** One interface as `virDomainInterface`. */
export interface InterfaceAddresses {
  name: string;
  hwaddr: string;
  addrs: { type: number; addr: string; prefix: number }[];
}

/**
 * Addresses from the network driver's leases, one entry per network NIC that has any, each
 * lease an address.
 *
 * @example
 * ```ts
 * import { leaseAddresses } from "./addresses.ts";
 * import type { QemuSecondaries } from "../secondaries.ts";
 * import type { DomainDef } from "../../../conf/domain/def.ts";
 * declare const def: DomainDef, secondaries: QemuSecondaries;
 * await leaseAddresses(def, secondaries); // [{ name: "vnet0", hwaddr: "52:54:00:…", addrs: […] }]
 * ```
 */
export async function leaseAddresses(
  def: DomainDef,
  secondaries: QemuSecondaries,
): Promise<InterfaceAddresses[]> {
  const out: InterfaceAddresses[] = [];
  for (const net of def.devices.interfaces) {
    // The configured type: a network NIC whose actual device is a host bridge still counts.
    const network = net.source?.network;
    if (network === undefined || (net.type !== "network" && net.type !== "bridge")) continue;
    const mac = net.mac ?? "";
    const ref = await secondaries.call("network", "networkLookupByName", network);
    const leases = await secondaries.call("network", "networkGetDHCPLeases", ref, mac, 0);
    if (!leases.length) continue;
    out.push({
      name: net.target ?? "",
      hwaddr: mac,
      addrs: leases.map((l) => ({
        type: Number(l.type ?? VIR.IP_ADDR_TYPE_IPV4),
        addr: String(l.ipaddr ?? ""),
        prefix: Number(l.prefix ?? 0),
      })),
    });
  }
  return out;
}

/**
 * The IPv4 neighbours of the host's ARP table (`/proc/net/arp` of this network namespace) by
 * MAC address.
 */
async function arpTable(): Promise<{ ip: string; mac: string }[]> {
  let text: string;
  try {
    text = await Deno.readTextFile("/proc/net/arp");
  } catch {
    throw VirError.bare("NONE", "SYSTEM_ERROR", "unable to get neighbour table");
  }
  return text.split("\n").slice(1).flatMap((line) => {
    const f = line.trim().split(/\s+/);
    return f.length >= 4 ? [{ ip: f[0], mac: f[3].toLowerCase() }] : [];
  });
}

/**
 * Addresses from the host's ARP table: an entry per neighbour whose MAC is a NIC's, without
 * prefix (as libvirt's).
 *
 * @example
 * ```ts
 * import { arpAddresses } from "./addresses.ts";
 * import type { DomainDef } from "../../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * await arpAddresses(def);
 * ```
 */
export async function arpAddresses(def: DomainDef): Promise<InterfaceAddresses[]> {
  const table = await arpTable();
  return def.devices.interfaces.flatMap((net) =>
    table.filter((e) => e.mac === net.mac).map((e) => ({
      name: net.target ?? "",
      hwaddr: net.mac ?? "",
      addrs: [{ type: VIR.IP_ADDR_TYPE_IPV4, addr: e.ip, prefix: 0 }],
    }))
  );
}

/**
 * `qemuDomainGetHostnameLease`: the first host name a DHCP lease of a network NIC carries, the
 * NICs taken in order (none: undefined).
 *
 * @example
 * ```ts
 * import { leaseHostname } from "./addresses.ts";
 * import type { DomainDef } from "../../../conf/domain/def.ts";
 * import type { QemuSecondaries } from "../secondaries.ts";
 * declare const def: DomainDef, secondaries: QemuSecondaries;
 * await leaseHostname(def, secondaries);
 * ```
 */
export async function leaseHostname(
  def: DomainDef,
  secondaries: QemuSecondaries,
): Promise<string | undefined> {
  for (const net of def.devices.interfaces) {
    const network = net.source?.network;
    if (net.type !== "network" || network === undefined) continue;
    const ref = await secondaries.call("network", "networkLookupByName", network);
    const leases = await secondaries.call("network", "networkGetDHCPLeases", ref, net.mac ?? "", 0);
    const named = leases.find((l) => typeof l.hostname === "string" && l.hostname);
    if (named) return String(named.hostname);
  }
  return undefined;
}
