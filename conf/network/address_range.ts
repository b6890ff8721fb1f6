/**
 * libvirt's sanity check of an address range (virSocketAddrGetRange): a DHCP `<range>` against
 * its `<ip>` (virNetworkDHCPRangeDefParseXML) is of one family, inside the network, not its
 * network or broadcast address; it and a NAT `<address>` range (no network) hold at most 65535
 * addresses and are not reversed. Every failure is libvirt's VIR_ERR_INTERNAL_ERROR without a
 * domain, with its wording (a doubled space included).
 *
 * @example
 * ```ts
 * import { checkAddressRange } from "./address_range.ts";
 * checkAddressRange("192.168.122.2", "192.168.122.254", { address: "192.168.122.1", prefix: 24, ranges: [], hosts: [] });
 * // 253
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { ipAddressBits, parseIpAddress } from "../common/mod.ts";
import { ipPrefix, maskByPrefix } from "./ip_prefix.ts";
import type { NetworkIp } from "./model.ts";

const internal = (msg: string) => VirError.report("NONE", "INTERNAL_ERROR", msg);

/**
 * Checks the range `start` - `end` (of `ip`, when it is a DHCP range) and returns how many
 * addresses it holds.
 */
export function checkAddressRange(start: string, end: string, ip?: NetworkIp): number {
  const s = ipAddressBits(start)!;
  const e = ipAddressBits(end)!;
  const range = `${parseIpAddress(start)!.text} - ${parseIpAddress(end)!.text}`;
  if (s.family !== e.family) throw internal(`mismatch of address family in range ${range}`);
  if (ip) checkWithinNetwork(s, e, range, ip);
  // The legacy limit: all but the last 16 bits equal.
  if (s.value >> 16n !== e.value >> 16n) throw internal(`range ${range} is too large (> 65535)`);
  const size = Number(e.value - s.value);
  if (size < 0) {
    throw internal(
      s.family === "ipv4" ? `range ${range} is reversed ` : `range ${range} start larger than end`,
    );
  }
  return size + 1;
}

/** The checks virSocketAddrGetRange makes when it knows the network of the range. */
function checkWithinNetwork(
  s: NonNullable<ReturnType<typeof ipAddressBits>>,
  e: NonNullable<ReturnType<typeof ipAddressBits>>,
  range: string,
  ip: NetworkIp,
): void {
  const n = ipAddressBits(ip.address!)!;
  const net = parseIpAddress(ip.address!)!.text;
  if (s.family !== n.family) {
    throw internal(`mismatch of address family in range ${range} for network ${net}`);
  }
  const prefix = ipPrefix(ip, n);
  const network = maskByPrefix(n, prefix);
  if (network === undefined) {
    throw internal(`bad prefix ${prefix} for network ${net} when  checking range ${range}`);
  }
  if (maskByPrefix(s, prefix) !== network || maskByPrefix(e, prefix) !== network) {
    throw internal(`range ${range} is not entirely within network ${net}/${prefix}`);
  }
  if (s.family === "ipv4") {
    // IPv6 has no network and broadcast addresses to keep out of a range.
    if (s.value === network) {
      throw internal(`start of range ${range} in network ${net}/${prefix} is the network address`);
    }
    const broadcast = network | ((1n << BigInt(32 - prefix)) - 1n);
    if (e.value === broadcast) {
      throw internal(`end of range ${range} in network ${net}/${prefix} is the broadcast address`);
    }
  }
}
