/**
 * The netmask arithmetic of a network's `<ip>` shared by its route and DHCP range checks
 * (libvirt's virNetworkIPDefPrefix and virSocketAddr helpers).
 *
 * @example
 * ```ts
 * import { ipPrefix, maskByPrefix } from "./ip_prefix.ts";
 * import { ipAddressBits } from "../common/mod.ts";
 * const a = ipAddressBits("10.1.2.3")!;
 * ipPrefix({ address: "10.1.2.3", ranges: [], hosts: [] }, a); // 8
 * maskByPrefix(a, 8); // 167772160n
 * ```
 * @module
 */
import { ipAddressBits } from "../common/mod.ts";
import type { NetworkIp } from "./model.ts";

/** The network part of `value` under a `prefix`-bit mask, or undefined when it cannot be made. */
export function maskByPrefix(
  a: { bits: number; value: bigint },
  prefix: number,
): bigint | undefined {
  if (prefix < 0 || prefix > a.bits) return undefined;
  const mask = ((1n << BigInt(prefix)) - 1n) << BigInt(a.bits - prefix);
  return a.value & mask;
}

/** virSocketAddrGetNumNetmaskBits: the leading ones of a contiguous mask, else -1. */
function netmaskBits(mask: { bits: number; value: bigint }): number {
  const s = mask.value.toString(2).padStart(mask.bits, "0");
  const ones = s.indexOf("0") < 0 ? s.length : s.indexOf("0");
  return s.slice(ones).includes("1") ? -1 : ones;
}

/**
 * virNetworkIPDefPrefix: the given prefix, the netmask's, or the address's natural one (-1 for
 * an IPv4 address of class D or E).
 */
export function ipPrefix(ip: NetworkIp, a: { family: string; value: bigint }): number {
  if (ip.prefix) return ip.prefix;
  const mask = ip.netmask === undefined ? undefined : ipAddressBits(ip.netmask);
  if (mask) return netmaskBits(mask);
  if (a.family === "ipv6") return a.value === 0n ? 0 : 64;
  if (a.value === 0n) return 0;
  const octet = Number(a.value >> 24n);
  if ((octet & 0x80) === 0) return 8;
  if ((octet & 0xc0) === 0x80) return 16;
  if ((octet & 0xe0) === 0xc0) return 24;
  return -1;
}
