/**
 * The protocols of an nwfilter rule and the attributes each takes, in libvirt 9.0's order
 * (`virAttr` and the `*Attributes` tables of `src/conf/nwfilter_conf.c`): the order is the
 * parser's, the formatter's and the order in which the last bad attribute wins the error.
 *
 * @module
 */

/**
 * The value kinds of `enum attrDatatype`, in its bit order: an attribute that accepts several
 * tries them in this order.
 */
export const DATATYPES = [
  "uint16",
  "uint8",
  "uint16_hex",
  "uint8_hex",
  "macaddr",
  "macmask",
  "ipaddr",
  "ipmask",
  "string",
  "ipv6addr",
  "ipv6mask",
  "stringcopy",
  "boolean",
  "uint32",
  "uint32_hex",
  "ipsetname",
  "ipsetflags",
] as const;

/** One value kind. */
export type Datatype = typeof DATATYPES[number];

/** The checks and formatters of nwfilter_conf.c beyond a kind's own. */
export type AttrCheck =
  | "macProtocolID"
  | "vlanID"
  | "vlanProtocolID"
  | "arpOpcode"
  | "ipProtocolID"
  | "dscp"
  | "state"
  | "tcpFlags"
  | "ipset"
  | "ipsetFlags";

/** One attribute of a protocol element. */
export interface AttrSpec {
  name: string;
  /** The kinds it accepts, tried in {@link DATATYPES} order. */
  types: readonly Datatype[];
  check?: AttrCheck;
}

const a = (name: string, types: string, check?: AttrCheck): AttrSpec => ({
  name,
  types: types.split(" ") as Datatype[],
  check,
});

const U8 = "uint8 uint8_hex";
const U16 = "uint16 uint16_hex";
const COMMENT = a("comment", "stringcopy");

const MAC_PROPS = [
  a("srcmacaddr", "macaddr"),
  a("srcmacmask", "macmask"),
  a("dstmacaddr", "macaddr"),
  a("dstmacmask", "macmask"),
];

const PORT_PROPS = ["srcportstart", "srcportend", "dstportstart", "dstportend"].map((n) =>
  a(n, U16)
);

/** COMMON_IP_PROPS: `dstipto` is an IPv4 address even in the IPv6 protocols, as libvirt has it. */
const ipProps = (addr: string, mask: string): AttrSpec[] => [
  a("srcmacaddr", "macaddr"),
  a("srcipaddr", addr),
  a("srcipmask", mask),
  a("dstipaddr", addr),
  a("dstipmask", mask),
  a("srcipfrom", addr),
  a("srcipto", addr),
  a("dstipfrom", addr),
  a("dstipto", "ipaddr"),
  a("dscp", U8, "dscp"),
  a("connlimit-above", "uint16"),
  a("state", "string", "state"),
  a("ipset", "ipsetname", "ipset"),
  a("ipsetflags", "ipsetflags", "ipsetFlags"),
];
const IP4 = ipProps("ipaddr", "ipmask");
const IP6 = ipProps("ipv6addr", "ipv6mask");

const ARP = [
  ...MAC_PROPS,
  a("hwtype", U16),
  a("protocoltype", U16),
  a("opcode", `${U16} string`, "arpOpcode"),
  a("arpsrcmacaddr", "macaddr"),
  a("arpdstmacaddr", "macaddr"),
  a("arpsrcipaddr", "ipaddr"),
  a("arpsrcipmask", "ipmask"),
  a("arpdstipaddr", "ipaddr"),
  a("arpdstipmask", "ipmask"),
  a("gratuitous", "boolean"),
  COMMENT,
];

const STP = [
  a("srcmacaddr", "macaddr"),
  a("srcmacmask", "macmask"),
  a("type", U8),
  a("flags", U8),
  a("root-priority", U16),
  a("root-priority-hi", U16),
  a("root-address", "macaddr"),
  a("root-address-mask", "macmask"),
  a("root-cost", "uint32 uint32_hex"),
  a("root-cost-hi", "uint32 uint32_hex"),
  a("sender-priority", U16),
  a("sender-priority-hi", U16),
  a("sender-address", "macaddr"),
  a("sender-address-mask", "macmask"),
  a("port", U16),
  a("port-hi", U16),
  ...["age", "max-age", "hello-time", "forward-delay"].flatMap((
    n,
  ) => [a(n, U16), a(`${n}-hi`, U16)]),
  COMMENT,
];

const ICMP_TYPE_CODE = [a("type", U8), a("code", U8)];

/** A protocol element: its attributes and the pairs whose negation follows the first's. */
export interface ProtocolSpec {
  attrs: readonly AttrSpec[];
  /** `[to, from]`: virNWFilterRuleDefFixup's COPY_NEG_SIGN(to, from). */
  negCopies: readonly (readonly [string, string])[];
  /** Whether virNWFilterRuleDefFixupIPSet runs for it. */
  ipsetFixup: boolean;
}

const MASK_NEG = [["srcmacmask", "srcmacaddr"], ["dstmacmask", "dstmacaddr"]] as const;
const IP_NEG = [["srcipmask", "srcipaddr"], ["dstipmask", "dstipaddr"]] as const;
const RANGE_NEG = [...IP_NEG, ["srcipto", "srcipfrom"], ["dstipto", "dstipfrom"]] as const;
const PORT_NEG = [
  ["srcportend", "srcportstart"],
  ["dstportstart", "srcportstart"],
  ["dstportend", "srcportstart"],
] as const;
const STP_NEG = [
  ["srcmacmask", "srcmacaddr"],
  ...[
    "root-priority",
    "root-cost",
    "sender-priority",
    "port",
    "age",
    "max-age",
    "hello-time",
    "forward-delay",
  ].map((n) => [`${n}-hi`, n] as const),
  ["root-address-mask", "root-address"],
  ["sender-address-mask", "sender-address"],
] as const;

const p = (
  attrs: readonly AttrSpec[],
  negCopies: readonly (readonly [string, string])[],
  ipsetFixup = false,
): ProtocolSpec => ({ attrs, negCopies, ipsetFixup });

const tcp = (ip: AttrSpec[], flags: AttrSpec[]) =>
  p([...ip, ...PORT_PROPS, a("option", U8), ...flags, COMMENT], [...RANGE_NEG, ...PORT_NEG], true);
const icmp = (ip: AttrSpec[]) =>
  p([...ip, ...ICMP_TYPE_CODE, COMMENT], [...RANGE_NEG, ["code", "type"]], true);

/** Every protocol element, in `virAttr` order (the parser matches the first it finds). */
export const PROTOCOLS: Readonly<Record<string, ProtocolSpec>> = {
  arp: p(ARP, []),
  rarp: p(ARP, []),
  mac: p([...MAC_PROPS, a("protocolid", `${U16} string`, "macProtocolID"), COMMENT], MASK_NEG),
  vlan: p([
    ...MAC_PROPS,
    a("vlanid", U16, "vlanID"),
    a("encap-protocol", `${U16} string`, "vlanProtocolID"),
    COMMENT,
  ], MASK_NEG),
  stp: p(STP, STP_NEG),
  ip: p(
    [
      ...MAC_PROPS,
      a("srcipaddr", "ipaddr"),
      a("srcipmask", "ipmask"),
      a("dstipaddr", "ipaddr"),
      a("dstipmask", "ipmask"),
      a("protocol", `string ${U8}`, "ipProtocolID"),
      ...PORT_PROPS,
      a("dscp", U8, "dscp"),
      COMMENT,
    ],
    IP_NEG,
    true,
  ),
  ipv6: p(
    [
      ...MAC_PROPS,
      a("srcipaddr", "ipv6addr"),
      a("srcipmask", "ipv6mask"),
      a("dstipaddr", "ipv6addr"),
      a("dstipmask", "ipv6mask"),
      a("protocol", `string ${U8}`, "ipProtocolID"),
      ...PORT_PROPS,
      a("type", U8),
      a("typeend", U8),
      a("code", U8),
      a("codeend", U8),
      COMMENT,
    ],
    [...IP_NEG, ["typeend", "type"], ["code", "type"], ["codeend", "type"]],
    true,
  ),
  tcp: tcp(IP4, [a("flags", "string", "tcpFlags")]),
  udp: p([...IP4, ...PORT_PROPS, COMMENT], [...RANGE_NEG, ...PORT_NEG], true),
  udplite: p([...IP4, COMMENT], RANGE_NEG, true),
  esp: p([...IP4, COMMENT], RANGE_NEG, true),
  ah: p([...IP4, COMMENT], RANGE_NEG, true),
  sctp: p([...IP4, ...PORT_PROPS, COMMENT], [...RANGE_NEG, ...PORT_NEG], true),
  icmp: icmp(IP4),
  all: p([...IP4, COMMENT], RANGE_NEG),
  igmp: p([...IP4, COMMENT], RANGE_NEG, true),
  "tcp-ipv6": tcp(IP6, []),
  "udp-ipv6": p([...IP6, ...PORT_PROPS, COMMENT], [...RANGE_NEG, ...PORT_NEG], true),
  "udplite-ipv6": p([...IP6, COMMENT], RANGE_NEG, true),
  "esp-ipv6": p([...IP6, COMMENT], RANGE_NEG, true),
  "ah-ipv6": p([...IP6, COMMENT], RANGE_NEG, true),
  "sctp-ipv6": p([...IP6, ...PORT_PROPS, COMMENT], [...RANGE_NEG, ...PORT_NEG], true),
  icmpv6: icmp(IP6),
  "all-ipv6": p([...IP6, COMMENT], RANGE_NEG),
};
