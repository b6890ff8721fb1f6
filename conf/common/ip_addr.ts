import { VirError } from "../../util/errors.ts";

/** An IP address family as libvirt's XML names it. */
export type IpFamily = "ipv4" | "ipv6";

/**
 * Parses a numeric IPv4 or IPv6 address (libvirt's virSocketAddrParse with AI_NUMERICHOST)
 * and returns it in the form virSocketAddrFormat prints (inet_ntop: IPv6 lower case with the
 * longest zero run compressed), with its family; undefined when it is not an address.
 *
 * @example
 * ```ts
 * import { parseIpAddress } from "./ip_addr.ts";
 * parseIpAddress("2001:DB8:0:0:0::1"); // { family: "ipv6", text: "2001:db8::1" }
 * parseIpAddress("192.168.0.1")?.family; // "ipv4"
 * ```
 */
export function parseIpAddress(text: string): { family: IpFamily; text: string } | undefined {
  const v4 = parseIPv4(text);
  if (v4) return { family: "ipv4", text: v4.join(".") };
  const v6 = parseIPv6(text);
  if (v6) return { family: "ipv6", text: formatIPv6(v6) };
  return undefined;
}

/**
 * virSocketAddrParse of a numeric address: getaddrinfo's refusal (VIR_ERR_SYSTEM_ERROR, no
 * domain) of anything else.
 *
 * @example
 * ```ts
 * import { socketAddr } from "./ip_addr.ts";
 * socketAddr("10.0.0.1").family; // "ipv4"
 * socketAddr("gw"); // throws "Cannot parse socket address 'gw': Name or service not known"
 * ```
 */
export function socketAddr(text: string): { family: IpFamily; text: string } {
  const a = parseIpAddress(text);
  if (!a) {
    throw VirError.bare(
      "NONE",
      "SYSTEM_ERROR",
      `Cannot parse socket address '${text}': Name or service not known`,
    );
  }
  return a;
}

/**
 * The four bytes of a dotted-quad IPv4 address, or undefined.
 *
 * @example
 * ```ts
 * import { parseIPv4 } from "./ip_addr.ts";
 * parseIPv4("10.0.0.1"); // [10, 0, 0, 1]
 * ```
 */
export function parseIPv4(text: string): number[] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const bytes = m.slice(1).map(Number);
  return bytes.every((b) => b <= 255) ? bytes : undefined;
}

/**
 * The eight 16-bit words of an IPv6 address, or undefined.
 *
 * @example
 * ```ts
 * import { parseIPv6 } from "./ip_addr.ts";
 * parseIPv6("fe80::1"); // [0xfe80, 0, 0, 0, 0, 0, 0, 1]
 * ```
 */
export function parseIPv6(text: string): number[] | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const group = (part: string): number[] | undefined => {
    if (part === "") return [];
    const out: number[] = [];
    const pieces = part.split(":");
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i];
      if (i === pieces.length - 1 && p.includes(".")) {
        const v4 = parseIPv4(p);
        if (!v4) return undefined;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) out.push(parseInt(p, 16));
      else return undefined;
    }
    return out;
  };
  const head = group(halves[0]);
  const tail = halves.length === 2 ? group(halves[1]) : [];
  if (!head || !tail) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return undefined;
  return [...head, ...new Array(missing).fill(0), ...tail];
}

/**
 * An IPv6 address as `inet_ntop` writes it (longest zero run as `::`).
 *
 * @example
 * ```ts
 * import { formatIPv6 } from "./ip_addr.ts";
 * formatIPv6([0xfe80, 0, 0, 0, 0, 0, 0, 1]); // "fe80::1"
 * ```
 */
export function formatIPv6(words: number[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) [bestStart, bestLen] = [i, j - i];
    i = j;
  }
  if (bestLen < 2) bestStart = -1;
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(":");
  // inet_ntop writes IPv4-mapped and IPv4-compatible addresses with a dotted tail.
  if (bestStart === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
    const tail = `${words[6] >> 8}.${words[6] & 255}.${words[7] >> 8}.${words[7] & 255}`;
    return bestLen === 6 ? `::${tail}` : `::ffff:${tail}`;
  }
  if (bestStart < 0) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLen))}`;
}

/**
 * A numeric address as a number of `bits` bits (32 for IPv4, 128 for IPv6), for the netmask
 * arithmetic of libvirt's virSocketAddrMask*; undefined when it is not an address.
 *
 * @example
 * ```ts
 * import { ipAddressBits } from "./ip_addr.ts";
 * ipAddressBits("10.0.0.1"); // { family: "ipv4", bits: 32, value: 167772161n }
 * ```
 */
export function ipAddressBits(
  text: string,
): { family: IpFamily; bits: number; value: bigint } | undefined {
  const v4 = parseIPv4(text);
  if (v4) {
    return {
      family: "ipv4",
      bits: 32,
      value: v4.reduce((a, b) => (a << 8n) | BigInt(b), 0n),
    };
  }
  const v6 = parseIPv6(text);
  if (v6) {
    return { family: "ipv6", bits: 128, value: v6.reduce((a, w) => (a << 16n) | BigInt(w), 0n) };
  }
  return undefined;
}
