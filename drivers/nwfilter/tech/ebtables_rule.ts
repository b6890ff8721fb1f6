/**
 * One layer-2 rule as an `ebtables -t nat -A CHAIN …` command (libvirt 9.0's
 * `ebtablesCreateRuleInstance`): the protocol's matches in libvirt's order, `reverse` swapping
 * source and destination (an `inout` rule in the chain of the guest's traffic), and the target
 * (`REJECT` becomes `DROP`, which ebtables has instead).
 *
 * @module
 */
import { VirError } from "../../../util/errors.ts";
import type { NWFilterItem, NWFilterRule } from "../../../conf/nwfilter/mod.ts";
import { type Combo, itemDec, itemHex, itemText } from "./item_text.ts";

/** ebtables' name for the STP bridge group address (`NWFILTER_MAC_BGA`). */
export const MAC_BGA = "01:80:c2:00:00:00";

/** The ethernet type of each layer-3 rule protocol and sub-chain (`l3_protocols`). */
export const ETHER_TYPES: Readonly<Record<string, number>> = {
  ipv4: 0x0800,
  ipv6: 0x86dd,
  arp: 0x0806,
  rarp: 0x8035,
  vlan: 0x8100,
};

const JUMP_TARGETS: Readonly<Record<string, string>> = {
  drop: "DROP",
  accept: "ACCEPT",
  reject: "REJECT",
  return: "RETURN",
  continue: "CONTINUE",
};

/**
 * `virNWFilterJumpTargetTypeToString`.
 *
 * @example
 * ```ts
 * import { jumpTarget } from "./ebtables_rule.ts";
 * jumpTarget("accept"); // "ACCEPT"
 * ```
 */
export function jumpTarget(action: string): string {
  return JUMP_TARGETS[action];
}

/**
 * The arguments of one ebtables rule (after the program) for `rule` in `chain`.
 *
 * @example
 * ```ts
 * import { ebtablesRuleArgs } from "./ebtables_rule.ts";
 * ebtablesRuleArgs({ action: "drop", direction: "out", priority: 500, noStatematch: false,
 *   items: {} }, "J-vnet0-mac", new Map(), false);
 * // ["-t", "nat", "-A", "J-vnet0-mac", "-j", "DROP"]
 * ```
 */
export function ebtablesRuleArgs(
  rule: NWFilterRule,
  chain: string,
  combo: Combo,
  reverse: boolean,
): string[] {
  const it = rule.items;
  const args = ["-t", "nat", "-A", chain];
  const text = (item: NWFilterItem) => itemText(item, combo);
  const dec = (item: NWFilterItem) => itemDec(item, combo);
  /** An option with its `!` and value. */
  const opt = (name: string, item: NWFilterItem, value: string) =>
    args.push(name, ...(item.neg ? ["!"] : []), value);
  const withPair = (first: NWFilterItem, second: NWFilterItem | undefined, sep: string) =>
    second ? `${dec(first)}${sep}${dec(second)}` : dec(first);

  // ebtablesHandleEthHdr
  const ethHdr = () => {
    for (
      const [addr, mask, src, dst] of [["srcmacaddr", "srcmacmask", "-s", "-d"], [
        "dstmacaddr",
        "dstmacmask",
        "-d",
        "-s",
      ]]
    ) {
      const item = it[addr];
      if (!item) continue;
      const value = it[mask] ? `${text(item)}/${text(it[mask])}` : text(item);
      opt(reverse ? dst : src, item, value);
    }
  };
  const range = (name: string, lo: string, hi: string) => {
    if (it[lo]) opt(name, it[lo], withPair(it[lo], it[hi], ":"));
  };
  const macMask = (name: string, addr: string, mask: string) => {
    if (it[addr]) {
      opt(name, it[addr], it[mask] ? `${text(it[addr])}/${text(it[mask])}` : text(it[addr]));
    }
  };
  /** An IP address option, with its mask when there is one. */
  const addrMask = (name: string, addr: string, mask: string) => {
    if (it[addr]) {
      opt(name, it[addr], it[mask] ? `${text(it[addr])}/${dec(it[mask])}` : text(it[addr]));
    }
  };
  const ports = (prefix: string) => {
    const [src, dst] = [`--${prefix}-source-port`, `--${prefix}-destination-port`];
    if (it.srcportstart) {
      opt(reverse ? dst : src, it.srcportstart, withPair(it.srcportstart, it.srcportend, ":"));
    }
    if (it.dstportstart) {
      opt(reverse ? src : dst, it.dstportstart, withPair(it.dstportstart, it.dstportend, ":"));
    }
  };

  switch (rule.protocol) {
    case "mac":
      ethHdr();
      if (it.protocolid) opt("-p", it.protocolid, itemHex(it.protocolid, combo));
      break;
    case "vlan":
      ethHdr();
      args.push("-p", "0x8100");
      if (it.vlanid) opt("--vlan-id", it.vlanid, dec(it.vlanid));
      if (it["encap-protocol"]) {
        opt("--vlan-encap", it["encap-protocol"], dec(it["encap-protocol"]));
      }
      break;
    case "stp":
      if (reverse && it.srcmacaddr) {
        throw VirError.report(
          "NWFILTER",
          "INTERNAL_ERROR",
          "STP filtering in inout direction with source MAC address set is not supported",
        );
      }
      ethHdr();
      args.push("-d", MAC_BGA);
      if (it.type) opt("--stp-type", it.type, dec(it.type));
      if (it.flags) opt("--stp-flags", it.flags, dec(it.flags));
      range("--stp-root-pri", "root-priority", "root-priority-hi");
      macMask("--stp-root-addr", "root-address", "root-address-mask");
      range("--stp-root-cost", "root-cost", "root-cost-hi");
      range("--stp-sender-prio", "sender-priority", "sender-priority-hi");
      macMask("--stp-sender-addr", "sender-address", "sender-address-mask");
      range("--stp-port", "port", "port-hi");
      range("--stp-msg-age", "age", "age-hi");
      range("--stp-max-age", "max-age", "max-age-hi");
      range("--stp-hello-time", "hello-time", "hello-time-hi");
      range("--stp-forward-delay", "forward-delay", "forward-delay-hi");
      break;
    case "arp":
    case "rarp": {
      ethHdr();
      args.push("-p", `0x${ETHER_TYPES[rule.protocol].toString(16)}`);
      if (it.hwtype) opt("--arp-htype", it.hwtype, dec(it.hwtype));
      if (it.opcode) opt("--arp-opcode", it.opcode, dec(it.opcode));
      if (it.protocoltype) opt("--arp-ptype", it.protocoltype, itemHex(it.protocoltype, combo));
      // libvirt keeps the source's mask for a destination without one.
      let mask: string | undefined;
      for (
        const [addr, m, src, dst] of [
          ["arpsrcipaddr", "arpsrcipmask", "--arp-ip-src", "--arp-ip-dst"],
          ["arpdstipaddr", "arpdstipmask", "--arp-ip-dst", "--arp-ip-src"],
        ]
      ) {
        if (!it[addr]) continue;
        if (it[m]) mask = dec(it[m]);
        opt(reverse ? dst : src, it[addr], `${text(it[addr])}/${mask ?? "32"}`);
      }
      for (
        const [addr, src, dst] of [
          ["arpsrcmacaddr", "--arp-mac-src", "--arp-mac-dst"],
          ["arpdstmacaddr", "--arp-mac-dst", "--arp-mac-src"],
        ]
      ) {
        if (it[addr]) opt(reverse ? dst : src, it[addr], text(it[addr]));
      }
      if (it.gratuitous?.text === "true") {
        args.push(...(it.gratuitous.neg ? ["!"] : []), "--arp-gratuitous");
      }
      break;
    }
    case "ip":
      ethHdr();
      args.push("-p", "ipv4");
      addrMask(reverse ? "--ip-destination" : "--ip-source", "srcipaddr", "srcipmask");
      addrMask(reverse ? "--ip-source" : "--ip-destination", "dstipaddr", "dstipmask");
      if (it.protocol) opt("--ip-protocol", it.protocol, dec(it.protocol));
      ports("ip");
      if (it.dscp) opt("--ip-tos", it.dscp, itemHex(it.dscp, combo));
      break;
    case "ipv6": {
      ethHdr();
      args.push("-p", "ipv6");
      addrMask(reverse ? "--ip6-destination" : "--ip6-source", "srcipaddr", "srcipmask");
      addrMask(reverse ? "--ip6-source" : "--ip6-destination", "dstipaddr", "dstipmask");
      if (it.protocol) opt("--ip6-protocol", it.protocol, dec(it.protocol));
      ports("ip6");
      if (it.type || it.typeend || it.code || it.codeend) {
        const span = (lo: string, hi: string) => {
          const from = it[lo] ? dec(it[lo]) : "0";
          const to = it[hi] ? dec(it[hi]) : it[lo] ? from : "255";
          return `${from}:${to}`;
        };
        args.push("--ip6-icmp-type");
        if (it.type?.neg) args.push("!");
        args.push(`${span("type", "typeend")}/${span("code", "codeend")}`);
      }
      break;
    }
    case undefined:
      break;
  }
  args.push("-j", rule.action === "reject" ? "DROP" : jumpTarget(rule.action));
  return args;
}
