/**
 * The address arithmetic the network driver needs on a network's `<ip>` blocks, as libvirt's
 * `virSocketAddr*` helpers: prefix (`virNetworkIPDefPrefix`), the network in CIDR form
 * (`virSocketAddrFormatWithPrefix` masked), IPv4 netmask and broadcast, range sizes.
 *
 * @module
 */
import { formatIPv6, parseIPv4, parseIPv6 } from "../../conf/common/ip_addr.ts";
import type { NetworkDef, NetworkIp } from "../../conf/network/mod.ts";

/**
 * Whether the `<ip>` is IPv6 (by its address; the family attribute is optional).
 *
 * @example
 * ```ts
 * import { isIPv6 } from "./addr.ts";
 * isIPv6({ address: "fd00::1", ranges: [], hosts: [] }); // true
 * ```
 */
export function isIPv6(ip: NetworkIp): boolean {
  return ip.family === "ipv6" || (ip.address ?? "").includes(":");
}

/** The address as a number of 32 or 128 bits. */
function toBig(text: string): { v: bigint; bits: number } {
  const v4 = parseIPv4(text);
  if (v4) return { v: v4.reduce((n, b) => (n << 8n) | BigInt(b), 0n), bits: 32 };
  const v6 = parseIPv6(text) ?? [0, 0, 0, 0, 0, 0, 0, 0];
  return { v: v6.reduce((n, w) => (n << 16n) | BigInt(w), 0n), bits: 128 };
}

function fromBig(v: bigint, bits: number): string {
  if (bits === 32) return [24n, 16n, 8n, 0n].map((s) => Number((v >> s) & 255n)).join(".");
  const words: number[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) words.push(Number((v >> s) & 0xffffn));
  return formatIPv6(words);
}

/**
 * `virNetworkIPDefPrefix`: the prefix, else the netmask's, else the IPv4 class default (8, 16
 * or 24) or 64 for IPv6; -1 when there is none.
 *
 * @example
 * ```ts
 * import { ipPrefix } from "./addr.ts";
 * ipPrefix({ address: "10.24.10.1", ranges: [], hosts: [] }); // 8
 * ```
 */
export function ipPrefix(ip: NetworkIp): number {
  if (ip.prefix !== undefined && ip.prefix > 0) return ip.prefix;
  if (ip.netmask) {
    const { v } = toBig(ip.netmask);
    return v.toString(2).replace(/0+$/, "").length;
  }
  if (isIPv6(ip)) return 64;
  const first = parseIPv4(ip.address ?? "")?.[0];
  if (first === undefined) return -1;
  if (first < 128) return 8;
  if (first < 192) return 16;
  if (first < 224) return 24;
  return -1;
}

function mask(prefix: number, bits: number): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return all ^ ((1n << BigInt(bits - prefix)) - 1n);
}

/**
 * The network of an `<ip>` as `ADDR/PREFIX` with the host bits cleared.
 *
 * @example
 * ```ts
 * import { networkCIDR } from "./addr.ts";
 * networkCIDR({ address: "192.168.122.1", prefix: 24, ranges: [], hosts: [] }); // "192.168.122.0/24"
 * ```
 */
export function networkCIDR(ip: NetworkIp): string {
  const prefix = ipPrefix(ip);
  const { v, bits } = toBig(ip.address ?? "");
  return `${fromBig(v & mask(prefix, bits), bits)}/${prefix}`;
}

/**
 * The IPv4 netmask of a prefix.
 *
 * @example
 * ```ts
 * import { netmaskOf } from "./addr.ts";
 * netmaskOf(24); // "255.255.255.0"
 * ```
 */
export function netmaskOf(prefix: number): string {
  return fromBig(mask(prefix, 32), 32);
}

/**
 * The IPv4 broadcast address of an `<ip>`.
 *
 * @example
 * ```ts
 * import { broadcastOf } from "./addr.ts";
 * broadcastOf({ address: "10.0.0.1", prefix: 24, ranges: [], hosts: [] }); // "10.0.0.255"
 * ```
 */
export function broadcastOf(ip: NetworkIp): string {
  const { v, bits } = toBig(ip.address ?? "");
  return fromBig(v | ((1n << BigInt(bits - ipPrefix(ip))) - 1n), bits);
}

/**
 * How many addresses `start`…`end` holds (`virSocketAddrGetRange`).
 *
 * @example
 * ```ts
 * import { rangeSize } from "./addr.ts";
 * rangeSize("192.168.122.2", "192.168.122.254"); // 253
 * ```
 */
export function rangeSize(start: string, end: string): number {
  return Number(toBig(end).v - toBig(start).v) + 1;
}

/**
 * The `<ip>` blocks of a network of one family, in order (`virNetworkDefGetIPByIndex`).
 *
 * @example
 * ```ts
 * import { ipsOf } from "./addr.ts";
 * declare const def: import("../../conf/network/mod.ts").NetworkDef;
 * ipsOf(def, "ipv4");
 * ```
 */
export function ipsOf(def: NetworkDef, family?: "ipv4" | "ipv6"): NetworkIp[] {
  return def.ips.filter((ip) =>
    ip.address !== undefined && (family === undefined || isIPv6(ip) === (family === "ipv6"))
  );
}
