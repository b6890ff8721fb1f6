/**
 * One attribute value of an nwfilter rule, as libvirt 9.0's `virNWFilterRuleDetailsParse` reads
 * it and `virNWFilterRuleDefDetailsFormat` writes it: a `$variable`, or the first accepted of the
 * attribute's kinds, then its check. The text is kept as the formatter will write it.
 *
 * @module
 */
import { ipAddressBits, parseIpAddress } from "../common/ip_addr.ts";
import { parseMac } from "../common/mac.ts";
import { type AttrCheck, type AttrSpec, type Datatype, DATATYPES } from "./protocols.ts";

/** A parsed attribute: its text as written back, and the number checks compare. */
export interface ItemValue {
  text: string;
  /** The numeric value (protocol id, …), 0 for a variable. */
  num: number;
  /** Whether it is a `$variable`. */
  variable: boolean;
}

/** libvirt's `virStrToLong_ui` (strtoul, "-N" wrapping, the whole string when `whole`). */
export function strToUint(
  s: string,
  base: 10 | 16,
  whole = true,
): { value: number; rest: string } | undefined {
  const m =
    (base === 16
      ? /^[\t\n\v\f\r ]*([+-]?)(?:0[xX](?=[0-9a-fA-F]))?([0-9a-fA-F]+)/
      : /^[\t\n\v\f\r ]*([+-]?)([0-9]+)/)
      .exec(s);
  if (!m) return undefined;
  const rest = s.slice(m[0].length);
  if (whole && rest !== "") return undefined;
  let v = BigInt(base === 16 ? `0x${m[2]}` : m[2]);
  if (v > 0xffffffffffffffffn) return undefined;
  if (m[1] === "-") {
    if (v > 0xffffffffn) return undefined;
    v = (0x100000000n - v) & 0xffffffffn;
  }
  if (v > 0xffffffffn) return undefined;
  return { value: Number(v), rest };
}

/** `VALID_VARNAME` of nwfilter_params.h. */
const VAR_NAME = /^[A-Za-z0-9_]*/;
const MAX_ITERID = 1000;

/**
 * `virNWFilterVarAccessParse` + `virNWFilterVarAccessPrint` of what follows a `$`: `NAME`,
 * `NAME[index]` or `NAME[@iterator]`; undefined when malformed.
 *
 * @example
 * ```ts
 * import { varAccessText } from "./values.ts";
 * varAccessText("IP[@0]"); // "IP"
 * varAccessText("IP[ 2 ]"); // "IP[2]"
 * ```
 */
export function varAccessText(access: string): string | undefined {
  const name = VAR_NAME.exec(access)![0];
  let rest = access.slice(name.length);
  if (rest === "") return name;
  if (rest[0] !== "[") return undefined;
  rest = rest.slice(1).replace(/^[\t\n\v\f\r ]+/, "");
  const iterator = rest.startsWith("@");
  if (iterator) rest = rest.slice(1);
  const n = strToUint(rest, 10, false);
  if (!n || !n.rest.replace(/^[\t\n\v\f\r ]+/, "").startsWith("]")) return undefined;
  if (!iterator) return `${name}[${n.value}]`;
  if (n.value > MAX_ITERID) return undefined;
  return n.value === 0 ? name : `${name}[@${n.value}]`;
}

/** Ones then zeros: `virSocketAddrGetNumNetmaskBits`, -1 otherwise. */
function netmaskBits(value: bigint, bits: number): number {
  let n = 0;
  while (n < bits && (value >> BigInt(bits - 1 - n)) & 1n) n++;
  const rest = value & ((1n << BigInt(bits - n)) - 1n);
  return rest === 0n ? n : -1;
}

const macBytes = (mac: string) => mac.split(":").map((h) => parseInt(h, 16));

/** `checkValidMask` over six bytes. */
function contiguousMac(mac: string): boolean {
  const v = macBytes(mac).reduce((a, b) => (a << 8n) | BigInt(b), 0n);
  return netmaskBits(v, 48) >= 0;
}

/** A kind's reading of `prop`: the value, or undefined when it does not read as this kind. */
type Read = { text: string; num: number } | undefined;

const hexOr = (hex: boolean, n: number) => hex ? `0x${n.toString(16)}` : String(n);

function uint(prop: string, base: 10 | 16, max: number): Read {
  const n = strToUint(prop, base);
  if (!n || n.value > max) return undefined;
  return { text: hexOr(base === 16, n.value), num: n.value };
}

function ipMask(prop: string, family: "ipv4" | "ipv6"): Read {
  const bits = family === "ipv4" ? 32 : 128;
  const n = strToUint(prop, 10);
  if (n) return n.value <= bits ? { text: String(n.value), num: n.value } : undefined;
  const addr = ipAddressBits(prop);
  if (addr?.family !== family) return undefined;
  const m = netmaskBits(addr.value, bits);
  return m < 0 ? undefined : { text: String(m), num: m };
}

function ipAddr(prop: string, family: "ipv4" | "ipv6"): Read {
  const addr = parseIpAddress(prop);
  return addr?.family === family ? { text: addr.text, num: 0 } : undefined;
}

/** g_strndup to `max` bytes. */
function truncateBytes(s: string, max: number): string {
  const bytes = new TextEncoder().encode(s);
  return bytes.length <= max ? s : new TextDecoder().decode(bytes.slice(0, max));
}

const MAX_COMMENT_LENGTH = 256;

/** How each kind reads a value; the string kinds leave the work to the attribute's check. */
const READERS: Record<Datatype, (prop: string) => Read> = {
  uint8: (s) => uint(s, 10, 0xff),
  uint8_hex: (s) => uint(s, 16, 0xff),
  uint16: (s) => uint(s, 10, 0xffff),
  uint16_hex: (s) => uint(s, 16, 0xffff),
  uint32: (s) => uint(s, 10, 0xffffffff),
  uint32_hex: (s) => uint(s, 16, 0xffffffff),
  macaddr: (s) => {
    const mac = parseMac(s);
    return mac === undefined ? undefined : { text: mac, num: 0 };
  },
  macmask: (s) => {
    const mac = parseMac(s);
    return mac === undefined || !contiguousMac(mac) ? undefined : { text: mac, num: 0 };
  },
  ipaddr: (s) => ipAddr(s, "ipv4"),
  ipv6addr: (s) => ipAddr(s, "ipv6"),
  ipmask: (s) => ipMask(s, "ipv4"),
  ipv6mask: (s) => ipMask(s, "ipv6"),
  string: (s) => ({ text: s, num: 0 }),
  ipsetname: (s) => ({ text: s, num: 0 }),
  ipsetflags: (s) => ({ text: s, num: 0 }),
  stringcopy: (s) => ({ text: truncateBytes(s, MAX_COMMENT_LENGTH), num: 0 }),
  boolean: (s) => ({ text: ["true", "1", "yes"].includes(s) ? "true" : "false", num: 0 }),
};

const ETHER_TYPES: [number, string][] = [
  [0x0806, "arp"],
  [0x8035, "rarp"],
  [0x0800, "ipv4"],
  [0x86dd, "ipv6"],
  [0x8100, "vlan"],
];
const ARP_OPCODES: [number, string][] = [
  "Request",
  "Reply",
  "Request_Reverse",
  "Reply_Reverse",
  "DRARP_Request",
  "DRARP_Reply",
  "DRARP_Error",
  "InARP_Request",
  "ARP_NAK",
].map((n, i) => [i + 1, n]);
const IP_PROTOCOLS: [number, string][] = [
  [6, "tcp"],
  [17, "udp"],
  [136, "udplite"],
  [50, "esp"],
  [51, "ah"],
  [1, "icmp"],
  [2, "igmp"],
  [132, "sctp"],
  [58, "icmpv6"],
];
const STATES: [number, string][] = [
  [1 << 1, "NEW"],
  [1 << 2, "ESTABLISHED"],
  [1 << 3, "RELATED"],
  [1 << 4, "INVALID"],
  [1 << 5, "NONE"],
];
const STATE_NONE = 1 << 5;
const TCP_FLAGS: [number, string][] = [
  [0x1, "FIN"],
  [0x2, "SYN"],
  [0x4, "RST"],
  [0x8, "PSH"],
  [0x10, "ACK"],
  [0x20, "URG"],
  [0x3f, "ALL"],
  [0x0, "NONE"],
];
const IPSET_NAME = /^[A-Za-z0-9_.:\-+ ]*$/;
const MAX_IPSET_NAME = 31;

const byName = (map: [number, string][], s: string) =>
  map.find(([, n]) => n.toLowerCase() === s.toLowerCase())?.[0];
const byNum = (map: [number, string][], v: number) => map.find(([n]) => n === v)?.[1];

/** `parseStringItems`: names (case-insensitive prefixes) between blanks and `sep`. */
function parseItems(map: [number, string][], input: string): number | undefined {
  let flags = 0;
  let i = 0;
  while (i < input.length) {
    while (i < input.length && (/[ \t\n\v\f\r]/.test(input[i]) || input[i] === ",")) i++;
    if (i >= input.length) break;
    const hit = map.find(([, n]) => input.slice(i, i + n.length).toLowerCase() === n.toLowerCase());
    if (!hit) return undefined;
    flags |= hit[0];
    i += hit[1].length;
  }
  return flags;
}

/** `printStringItems`: the names of the set bits, lowest first. */
function printItems(map: [number, string][], flags: number): string {
  const names: string[] = [];
  for (let bit = 1; flags && bit <= 0x40000000; bit <<= 1) {
    if (!(flags & bit)) continue;
    const name = byNum(map, bit);
    if (name) names.push(name);
    flags ^= bit;
  }
  return names.join(",");
}

const tcpFlagsText = (f: number) =>
  f === 0 ? "NONE" : f === 0x3f ? "ALL" : printItems(TCP_FLAGS, f);

/** The protocol-id checks: a name of `map`, or a number from `min`; names print as names. */
function protocolId(map: [number, string][], min: number, hexName: boolean) {
  return (kind: Datatype, read: NonNullable<Read>): Read => {
    if (kind === "string") {
      const v = byName(map, read.text);
      return v === undefined ? undefined : { text: byNum(map, v)!, num: v };
    }
    if (read.num < min) return undefined;
    // A number that names a protocol prints as its name.
    const name = byNum(map, read.num);
    if (name) return { text: name, num: read.num };
    return {
      text: hexOr(hexName ? kind !== "uint8" && kind !== "uint16" : false, read.num),
      num: read.num,
    };
  };
}

/** The checks of nwfilter_conf.c's validators, with their formatters' text. */
const CHECKS: Record<AttrCheck, (kind: Datatype, read: NonNullable<Read>) => Read> = {
  macProtocolID: protocolId(ETHER_TYPES, 0x600, true),
  vlanProtocolID: protocolId(ETHER_TYPES, 0x3c, true),
  ipProtocolID: protocolId(IP_PROTOCOLS, 0, true),
  arpOpcode: (kind, read) => {
    const v = kind === "string" ? byName(ARP_OPCODES, read.text) : read.num;
    if (v === undefined) return undefined;
    return { text: byNum(ARP_OPCODES, v) ?? String(v), num: v };
  },
  vlanID: (_kind, read) => read.num <= 4095 ? read : undefined,
  dscp: (_kind, read) => read.num <= 63 ? read : undefined,
  state: (_kind, read) => {
    let flags = parseItems(STATES, read.text);
    if (flags === undefined) return undefined;
    if (flags & STATE_NONE) flags = STATE_NONE;
    return { text: printItems(STATES, flags), num: flags };
  },
  tcpFlags: (_kind, read) => {
    const sep = read.text.indexOf("/");
    if (sep < 0) return undefined;
    const mask = parseItems(TCP_FLAGS, read.text.slice(0, sep));
    const flags = parseItems(TCP_FLAGS, read.text.slice(sep + 1));
    if (mask === undefined || flags === undefined) return undefined;
    return { text: `${tcpFlagsText(mask & 0x3f)}/${tcpFlagsText(flags & 0x3f)}`, num: 0 };
  },
  ipset: (_kind, read) =>
    read.text.length <= MAX_IPSET_NAME && IPSET_NAME.test(read.text) ? read : undefined,
  ipsetFlags: (_kind, read) => {
    const parts: string[] = [];
    let s = read.text;
    while (parts.length < 6) {
      const word = s.slice(0, 3).toLowerCase();
      if (word !== "src" && word !== "dst") return undefined;
      parts.push(word);
      s = s.slice(3);
      if (!s.startsWith(",")) break;
      s = s.slice(1);
    }
    return s === "" ? { text: parts.join(","), num: 0 } : undefined;
  },
};

/**
 * Reads one attribute's value as libvirt does: a `$variable`, else each accepted kind in
 * `enum attrDatatype` order until one reads it, then the attribute's check; undefined is
 * libvirt's "… has illegal value …".
 *
 * @example
 * ```ts
 * import { readAttr } from "./values.ts";
 * import { PROTOCOLS } from "./protocols.ts";
 * const dscp = PROTOCOLS.ip.attrs.find((a) => a.name === "dscp")!;
 * readAttr(dscp, "0x2")?.text; // "0x2"
 * readAttr(dscp, "64"); // undefined
 * ```
 */
export function readAttr(spec: AttrSpec, prop: string): ItemValue | undefined {
  if (prop.startsWith("$")) {
    const text = varAccessText(prop.slice(1));
    return text === undefined ? undefined : { text: `$${text}`, num: 0, variable: true };
  }
  const kinds = DATATYPES.filter((k) => spec.types.includes(k));
  for (const [i, kind] of kinds.entries()) {
    const read = READERS[kind](prop);
    const last = i === kinds.length - 1;
    if (!read) {
      if (last) return undefined;
      continue;
    }
    // The string kinds need a check to give them a meaning.
    const checked = spec.check ? CHECKS[spec.check](kind, read) : read;
    return checked && { ...checked, variable: false };
  }
  return undefined;
}
