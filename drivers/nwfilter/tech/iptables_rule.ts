/**
 * One layer-3/4 rule as `iptables`/`ip6tables` commands (libvirt 9.0's
 * `iptablesCreateRuleInstance`, `iptablesCreateRuleInstanceStateCtrl` and
 * `_iptablesCreateRuleInstance`): a rule goes into the guest's forward chains both ways
 * (`FJ-`/`FP-`, renamed `FI-`/`FO-` once complete) and its host-input chain (`HJ-`), with
 * connection-state matches that let replies through, unless the rule sets its own `state`.
 *
 * @module
 */
import type { NWFilterItem, NWFilterRule } from "../../../conf/nwfilter/mod.ts";
import { jumpTarget } from "./ebtables_rule.ts";
import { type Combo, itemDec, itemText } from "./item_text.ts";

/** The `-p` of each rule protocol. */
const IPT_PROTOCOLS: Readonly<Record<string, string>> = {
  tcp: "tcp",
  "tcp-ipv6": "tcp",
  udp: "udp",
  "udp-ipv6": "udp",
  udplite: "udplite",
  "udplite-ipv6": "udplite",
  esp: "esp",
  "esp-ipv6": "esp",
  ah: "ah",
  "ah-ipv6": "ah",
  sctp: "sctp",
  "sctp-ipv6": "sctp",
  icmp: "icmp",
  icmpv6: "icmpv6",
  igmp: "igmp",
  all: "all",
  "all-ipv6": "all",
};

/** `RULE_FLAG_STATE_NONE`: a `state='NONE'` rule matches no state. */
const STATE_NONE = 1 << 5;

/**
 * Whether a rule protocol is one of iptables' (IPv4) or ip6tables' (IPv6); undefined for a
 * layer-2 rule.
 *
 * @example
 * ```ts
 * import { iptablesLayer } from "./iptables_rule.ts";
 * iptablesLayer("udp-ipv6"); // "ipv6"
 * ```
 */
export function iptablesLayer(protocol: string | undefined): "ipv4" | "ipv6" | undefined {
  if (protocol === undefined || !(protocol in IPT_PROTOCOLS)) return undefined;
  return protocol === "icmpv6" || protocol.endsWith("-ipv6") ? "ipv6" : "ipv4";
}

interface Instance {
  directionIn: boolean;
  /** The chain's two prefix letters (`FJ`, `FP`, `HJ`). */
  prefix: string;
  match: string | undefined;
  defMatch: boolean;
  acceptTarget: string;
  maySkipICMP: boolean;
}

/** `_iptablesCreateRuleInstance`: the arguments, or undefined when libvirt drops the rule. */
function instance(
  rule: NWFilterRule,
  ifname: string,
  combo: Combo,
  x: Instance,
): string[] | undefined {
  const it = rule.items;
  const text = (item: NWFilterItem) => itemText(item, combo);
  const dec = (item: NWFilterItem) => itemDec(item, combo);
  const args = ["-A", `${x.prefix}-${ifname}`, "-p", IPT_PROTOCOLS[rule.protocol!]];
  const neg = (item: NWFilterItem) => item.neg ? ["!"] : [];
  const dirIn = x.directionIn;
  let skipRule = false;
  let skipMatch = false;
  let hasICMPType = false;
  const base = args.length;
  // iptablesHandleSrcMacAddr: the guest's MAC only matches its own packets.
  const srcMacSkipped = !!it.srcmacaddr && dirIn;
  if (it.srcmacaddr && !dirIn) {
    args.push("-m", "mac", ...neg(it.srcmacaddr), "--mac-source", text(it.srcmacaddr));
  }
  // iptablesHandleIPHdr
  const addr = (a: string, m: string, from: string, to: string, opt: string, range: string) => {
    if (it[a]) {
      args.push(...neg(it[a]), opt, it[m] ? `${text(it[a])}/${dec(it[m])}` : text(it[a]));
    } else if (it[from]) {
      args.push("-m", "iprange", ...neg(it[from]), range);
      args.push(it[to] ? `${text(it[from])}-${text(it[to])}` : text(it[from]));
    }
  };
  addr(
    "srcipaddr",
    "srcipmask",
    "srcipfrom",
    "srcipto",
    dirIn ? "--destination" : "--source",
    dirIn ? "--dst-range" : "--src-range",
  );
  addr(
    "dstipaddr",
    "dstipmask",
    "dstipfrom",
    "dstipto",
    dirIn ? "--source" : "--destination",
    dirIn ? "--src-range" : "--dst-range",
  );
  if (it.dscp) args.push("-m", "dscp", ...neg(it.dscp), "--dscp", dec(it.dscp));
  if (it["connlimit-above"]) {
    // Only a limit on connections the guest opens.
    if (dirIn) skipRule = true;
    else skipMatch = true;
  }
  if (rule.protocol === "tcp" && it.flags) {
    const [mask, flags] = it.flags.text.split("/");
    args.push(...neg(it.flags), "--tcp-flags", mask, flags);
  }
  if (it.srcportstart || it.dstportstart) {
    const port = (start: string, end: string, opt: string) => {
      if (!it[start]) return;
      args.push(...neg(it[start]), opt);
      args.push(it[end] ? `${dec(it[start])}:${dec(it[end])}` : dec(it[start]));
    };
    port("srcportstart", "srcportend", dirIn ? "--dport" : "--sport");
    port("dstportstart", "dstportend", dirIn ? "--sport" : "--dport");
  }
  if (it.option) args.push(...neg(it.option), "--tcp-option", dec(it.option));
  if ((rule.protocol === "icmp" || rule.protocol === "icmpv6") && it.type) {
    hasICMPType = true;
    if (x.maySkipICMP) return undefined;
    const parm = rule.protocol === "icmp" ? "--icmp-type" : "--icmpv6-type";
    args.push(...neg(it.type), parm, it.code ? `${dec(it.type)}/${dec(it.code)}` : dec(it.type));
  }
  if ((srcMacSkipped && args.length === base) || skipRule) return undefined;
  let target: string;
  if (rule.action === "accept") target = x.acceptTarget;
  else {
    target = jumpTarget(rule.action);
    skipMatch = x.defMatch;
  }
  if (x.match && !skipMatch) args.push("-m", "conntrack", "--ctstate", x.match);
  if (x.defMatch && x.match && !skipMatch && !hasICMPType && rule.direction !== "inout") {
    args.push("-m", "conntrack", "--ctdir", dirIn ? "Reply" : "Original");
  }
  // iptablesHandleIPHdrAfterStateMatch
  if (it.ipset && it.ipsetflags) {
    const flags = text(it.ipsetflags).split(",").map((f) =>
      (f === "dst") === dirIn ? "src" : "dst"
    );
    args.push("-m", "set", "--match-set", text(it.ipset), flags.join(","));
  }
  if (it["connlimit-above"] && !dirIn) {
    args.push("-m", "connlimit", ...neg(it["connlimit-above"]));
    args.push("--connlimit-above", dec(it["connlimit-above"]));
  }
  if (it.comment) args.push("-m", "comment", "--comment", it.comment.text);
  args.push("-j", target);
  return args;
}

/** `printStateMatchFlags`: the state names, none for `NONE`. */
function stateText(rule: NWFilterRule): string | undefined {
  const state = rule.items.state;
  if (!state || state.num & STATE_NONE) return undefined;
  return state.text;
}

/**
 * The iptables (or ip6tables) argument lists of one rule for one variable combination, in
 * libvirt's order.
 *
 * @example
 * ```ts
 * import { iptablesRuleArgs } from "./iptables_rule.ts";
 * iptablesRuleArgs({ action: "accept", direction: "out", priority: 500, noStatematch: true,
 *   protocol: "all", items: {} }, "vnet0", new Map()).length; // 3
 * ```
 */
export function iptablesRuleArgs(rule: NWFilterRule, ifname: string, combo: Combo): string[][] {
  const dirIn = rule.direction === "in" || rule.direction === "inout";
  const inout = rule.direction === "inout";
  const out: string[][] = [];
  const add = (x: Instance) => {
    const args = instance(rule, ifname, combo, x);
    if (args) out.push(args);
  };
  const state = rule.items.state;
  if (!rule.noStatematch && state) {
    // iptablesCreateRuleInstanceStateCtrl: the rule's own states, one way only.
    const match = stateText(rule);
    const common = { match, defMatch: false };
    if (!(dirIn && !inout)) {
      add({
        ...common,
        directionIn: dirIn,
        prefix: "FJ",
        acceptTarget: "RETURN",
        maySkipICMP: dirIn || inout,
      });
    }
    if (dirIn) {
      add({
        ...common,
        directionIn: !dirIn,
        prefix: "FP",
        acceptTarget: "ACCEPT",
        maySkipICMP: !dirIn || inout,
      });
    }
    if (!(dirIn && !inout)) {
      add({
        ...common,
        directionIn: dirIn,
        prefix: "HJ",
        acceptTarget: "RETURN",
        maySkipICMP: dirIn,
      });
    }
    return out;
  }
  const needState = !inout && !rule.noStatematch;
  const match = (first: string, second: string) => needState ? (dirIn ? first : second) : undefined;
  add({
    directionIn: dirIn,
    prefix: "FJ",
    match: match("ESTABLISHED", "NEW,ESTABLISHED"),
    defMatch: true,
    acceptTarget: "RETURN",
    maySkipICMP: dirIn || inout,
  });
  add({
    directionIn: !dirIn,
    prefix: "FP",
    match: match("NEW,ESTABLISHED", "ESTABLISHED"),
    defMatch: true,
    acceptTarget: "ACCEPT",
    maySkipICMP: !dirIn || inout,
  });
  add({
    directionIn: dirIn,
    prefix: "HJ",
    match: match("ESTABLISHED", "NEW,ESTABLISHED"),
    defMatch: true,
    acceptTarget: "RETURN",
    maySkipICMP: dirIn,
  });
  return out;
}
