/**
 * libvirt 9.0's ebiptables tech driver (`nwfilter_ebiptables_driver.c`) for a port device:
 * the new rules built in temporary chains (`ebiptablesApplyNewRules`: ebtables `libvirt-J-`/
 * `libvirt-P-` roots with a sub-chain per protocol filter, iptables/ip6tables `FJ-`, `FP-`, `HJ-`
 * reached from the shared `libvirt-in`, `libvirt-out`, `libvirt-host-in`), then swapped for the
 * old ones (`ebiptablesTearOldRules`), and everything removed (`ebiptablesAllTeardown`).
 *
 * @module
 */
import { ebtablesRuleArgs, ETHER_TYPES, MAC_BGA } from "./ebtables_rule.ts";
import { Firewall, type FwRule, type Layer } from "./firewall.ts";
import type { RuleInst } from "./instantiate.ts";
import { iptablesLayer, iptablesRuleArgs } from "./iptables_rule.ts";
import { combinations } from "./var_comb.ts";

const VIRT_IN = "libvirt-in";
const VIRT_OUT = "libvirt-out";
const VIRT_IN_POST = "libvirt-in-post";
const HOST_IN = "libvirt-host-in";
const PHYSDEV_IN = ["-m", "physdev", "--physdev-in"];
const PHYSDEV_OUT = ["-m", "physdev", "--physdev-is-bridged", "--physdev-out"];
const PHYSDEV_OUT_OLD = ["-m", "physdev", "--physdev-out"];

/** Chain letters: traffic from the guest (`I`), to it (`O`), and their temporary names. */
const prefixOf = (incoming: boolean, temp: boolean) =>
  incoming ? (temp ? "J" : "I") : (temp ? "P" : "O");
const ebRoot = (p: string, ifname: string) => `libvirt-${p}-${ifname}`;
const ebChain = (p: string, ifname: string, suffix: string) => `${p}-${ifname}-${suffix}`;

/** `l3_protocols` in libvirt's order: a filter chain belongs to the first its name starts with. */
const CHAIN_PROTOCOLS = ["ipv4", "ipv6", "arp", "rarp", "vlan", "stp", "mac"];

const isEthernet = (inst: RuleInst) => iptablesLayer(inst.rule.protocol) === undefined;

// --- ebtables chains -------------------------------------------------------------------------

function ebUnlinkRoot(fw: Firewall, incoming: boolean, ifname: string, temp: boolean) {
  fw.add("ethernet", [
    "-t",
    "nat",
    "-D",
    incoming ? "PREROUTING" : "POSTROUTING",
    incoming ? "-i" : "-o",
    ifname,
    "-j",
    ebRoot(prefixOf(incoming, temp), ifname),
  ], true);
}

function ebRemoveRoot(fw: Firewall, incoming: boolean, ifname: string, temp: boolean) {
  const chain = ebRoot(prefixOf(incoming, temp), ifname);
  fw.add("ethernet", ["-t", "nat", "-F", chain], true);
  fw.add("ethernet", ["-t", "nat", "-X", chain], true);
}

/** The chain a listed rule jumps to, when it is one of `prefixes`' (`X-…`). */
function jumpedChain(line: string, prefixes: string): string | undefined {
  const at = line.indexOf("-j ");
  if (at < 0) return undefined;
  const chain = line.slice(at + 3);
  return prefixes.includes(chain[0]) && chain[1] === "-" ? chain : undefined;
}

/** `ebtablesRemoveSubChainsQuery`: each sub-chain a listing jumps to, flushed and removed. */
function removeSubChainsQuery(prefixes: string) {
  const query = (lines: string[]): FwRule[] =>
    lines.flatMap((line) => {
      const chain = jumpedChain(line, prefixes);
      if (!chain) return [];
      return [
        { layer: "ethernet" as Layer, args: ["-t", "nat", "-L", chain], query },
        { layer: "ethernet" as Layer, args: ["-t", "nat", "-F", chain], ignoreErrors: true },
        { layer: "ethernet" as Layer, args: ["-t", "nat", "-X", chain], ignoreErrors: true },
      ];
    });
  return query;
}

function ebRemoveSubChains(fw: Firewall, ifname: string, temp: boolean) {
  const prefixes = temp ? "JP" : "IO";
  for (const p of prefixes) {
    fw.add(
      "ethernet",
      ["-t", "nat", "-L", ebRoot(p, ifname)],
      false,
      removeSubChainsQuery(prefixes),
    );
  }
}

/** `ebtablesRenameTmpSubAndRootChainsQuery`: each temporary sub-chain takes its final name. */
function renameSubChainsQuery(lines: string[]): FwRule[] {
  return lines.flatMap((line) => {
    const tmp = jumpedChain(line, "JP");
    if (!tmp) return [];
    const chain = (tmp[0] === "J" ? "I" : "O") + tmp.slice(1);
    return [
      { layer: "ethernet" as Layer, args: ["-t", "nat", "-L", tmp], query: renameSubChainsQuery },
      { layer: "ethernet" as Layer, args: ["-t", "nat", "-F", chain], ignoreErrors: true },
      { layer: "ethernet" as Layer, args: ["-t", "nat", "-X", chain], ignoreErrors: true },
      { layer: "ethernet" as Layer, args: ["-t", "nat", "-E", tmp, chain] },
    ];
  });
}

// --- iptables chains -------------------------------------------------------------------------

/** The three per-device chains: prefix letter, whether incoming, the shared chain into it. */
const IPT_ROOTS: readonly [string, boolean, string][] = [
  ["F", false, VIRT_OUT],
  ["F", true, VIRT_IN],
  ["H", true, HOST_IN],
];
const iptRoot = (p: string, incoming: boolean, ifname: string, temp: boolean) =>
  `${p}${prefixOf(incoming, temp)}-${ifname}`;

function iptUnlinkRoots(fw: Firewall, layer: Layer, ifname: string, temp: boolean) {
  for (const [p, incoming, base] of IPT_ROOTS) {
    const chain = iptRoot(p, incoming, ifname, temp);
    if (incoming) fw.add(layer, ["-D", base, ...PHYSDEV_IN, ifname, "-g", chain], true);
    else {
      fw.add(layer, ["-D", base, ...PHYSDEV_OUT, ifname, "-g", chain], true);
      // Rules of older libvirt versions, without --physdev-is-bridged.
      fw.add(layer, ["-D", base, ...PHYSDEV_OUT_OLD, ifname, "-g", chain], true);
    }
  }
}

function iptRemoveRoots(fw: Firewall, layer: Layer, ifname: string, temp: boolean) {
  for (const [p, incoming] of IPT_ROOTS) {
    const chain = iptRoot(p, incoming, ifname, temp);
    fw.add(layer, ["-F", chain], true);
    fw.add(layer, ["-X", chain], true);
  }
}

/** `iptablesCreateBaseChainsFW`: the shared chains, first in FORWARD and INPUT. */
function iptCreateBaseChains(fw: Firewall, layer: Layer) {
  for (const chain of [VIRT_IN, VIRT_OUT, VIRT_IN_POST, HOST_IN]) {
    fw.add(layer, ["-N", chain], true);
  }
  const links: [string, string, string][] = [
    ["FORWARD", "1", VIRT_IN],
    ["FORWARD", "2", VIRT_OUT],
    ["FORWARD", "3", VIRT_IN_POST],
    ["INPUT", "1", HOST_IN],
  ];
  for (const [base, , chain] of links) fw.add(layer, ["-D", base, "-j", chain], true);
  for (const [base, pos, chain] of links) fw.add(layer, ["-I", base, pos, "-j", chain]);
}

function iptablesNewRules(fw: Firewall, layer: Layer, ifname: string, insts: RuleInst[]) {
  iptUnlinkRoots(fw, layer, ifname, true);
  iptRemoveRoots(fw, layer, ifname, true);
  iptCreateBaseChains(fw, layer);
  for (const [p, incoming] of IPT_ROOTS) fw.add(layer, ["-N", iptRoot(p, incoming, ifname, true)]);
  for (const [p, incoming, base] of IPT_ROOTS) {
    const physdev = incoming ? PHYSDEV_IN : PHYSDEV_OUT;
    fw.add(layer, ["-A", base, ...physdev, ifname, "-g", iptRoot(p, incoming, ifname, true)]);
  }
  // iptablesSetupVirtInPostFW
  fw.add(layer, ["-D", VIRT_IN_POST, ...PHYSDEV_IN, ifname, "-j", "ACCEPT"], true);
  fw.add(layer, ["-A", VIRT_IN_POST, ...PHYSDEV_IN, ifname, "-j", "ACCEPT"]);
  for (const inst of insts) {
    if (iptablesLayer(inst.rule.protocol) !== layer) continue;
    for (const combo of combinations(inst.accesses, inst.vars)) {
      for (const args of iptablesRuleArgs(inst.rule, ifname, combo)) fw.add(layer, args);
    }
  }
}

// --- the driver's entry points ---------------------------------------------------------------

/** `virNWFilterRuleInstSort`: root-chain rules first, then by priority (a stable sort). */
function sortInsts(insts: RuleInst[]): RuleInst[] {
  return [...insts].sort((a, b) => {
    const ra = a.chainSuffix === "root";
    const rb = b.chainSuffix === "root";
    if (ra !== rb) return ra ? -1 : 1;
    return a.priority - b.priority;
  });
}

/**
 * `ebiptablesApplyNewRules`: the commands that build `insts` in temporary chains of `ifname`.
 *
 * @example
 * ```ts
 * import { applyNewRules } from "./ebiptables.ts";
 * applyNewRules("vnet0", []).groups.length; // 2
 * ```
 */
export function applyNewRules(ifname: string, rules: RuleInst[]): Firewall {
  // The priorities are adjusted on copies: the filters' rules stay as defined.
  const insts = sortInsts(rules).map((r) => ({ ...r }));
  const fw = new Firewall();
  fw.start(true);
  ebUnlinkRoot(fw, true, ifname, true);
  ebUnlinkRoot(fw, false, ifname, true);
  ebRemoveSubChains(fw, ifname, true);
  ebRemoveRoot(fw, true, ifname, true);
  ebRemoveRoot(fw, false, ifname, true);
  fw.start(false);
  // A rule of a filter chain runs no earlier than its chain's jump (libvirt's adjustment).
  for (const r of insts) {
    if (r.chainPriority > r.priority && !"root".includes(r.chainSuffix)) {
      r.priority = r.chainPriority;
    }
  }
  const eb = insts.filter(isEthernet);
  const has = (layer: Layer) => insts.some((r) => iptablesLayer(r.rule.protocol) === layer);
  const chainsIn = new Map<string, number>();
  const chainsOut = new Map<string, number>();
  for (const r of eb) {
    if (r.rule.direction !== "in") chainsIn.set(r.chainSuffix, r.chainPriority);
    if (r.rule.direction !== "out") chainsOut.set(r.chainSuffix, r.chainPriority);
  }
  if (eb.length) {
    const subchains: { priority: number; incoming: boolean; proto: string; name: string }[] = [];
    for (const [incoming, chains] of [[true, chainsIn], [false, chainsOut]] as const) {
      if (!chains.size) continue;
      fw.add("ethernet", ["-t", "nat", "-N", ebRoot(prefixOf(incoming, true), ifname)]);
      const sorted = [...chains].sort((a, b) => a[1] - b[1]);
      for (const [name, priority] of sorted) {
        const proto = CHAIN_PROTOCOLS.find((p) => name.startsWith(p));
        if (proto) subchains.push({ priority, incoming, proto, name });
      }
    }
    subchains.sort((a, b) => a.priority - b.priority);
    const createSub = (s: (typeof subchains)[number]) => {
      const p = prefixOf(s.incoming, true);
      const chain = ebChain(p, ifname, s.name);
      fw.add("ethernet", ["-t", "nat", "-F", chain], true);
      fw.add("ethernet", ["-t", "nat", "-X", chain], true);
      fw.add("ethernet", ["-t", "nat", "-N", chain]);
      const match = s.proto === "mac"
        ? []
        : s.proto === "stp"
        ? ["-d", MAC_BGA]
        : ["-p", `0x${ETHER_TYPES[s.proto].toString(16).padStart(4, "0")}`];
      fw.add("ethernet", ["-t", "nat", "-A", ebRoot(p, ifname), ...match, "-j", chain]);
    };
    let j = 0;
    for (const r of eb) {
      while (j < subchains.length && subchains[j].priority <= r.priority) createSub(subchains[j++]);
      for (const combo of combinations(r.accesses, r.vars)) {
        // Traffic from the guest goes through the I chains, to it through the O chains; an
        // inout rule's addresses swap in the I chain (libvirt's choice, kept).
        for (const incoming of [true, false]) {
          if (r.rule.direction === (incoming ? "in" : "out")) continue;
          const p = prefixOf(incoming, true);
          const chain = r.chainSuffix === "root"
            ? ebRoot(p, ifname)
            : ebChain(p, ifname, r.chainSuffix);
          const reverse = incoming && r.rule.direction === "inout";
          fw.add("ethernet", ebtablesRuleArgs(r.rule, chain, combo, reverse));
        }
      }
    }
    while (j < subchains.length) createSub(subchains[j++]);
  }
  if (has("ipv4")) iptablesNewRules(fw, "ipv4", ifname, insts);
  if (has("ipv6")) iptablesNewRules(fw, "ipv6", ifname, insts);
  for (const [incoming, chains] of [[true, chainsIn], [false, chainsOut]] as const) {
    if (!chains.size) continue;
    fw.add("ethernet", [
      "-t",
      "nat",
      "-A",
      incoming ? "PREROUTING" : "POSTROUTING",
      incoming ? "-i" : "-o",
      ifname,
      "-j",
      ebRoot(prefixOf(incoming, true), ifname),
    ]);
  }
  fw.startRollback();
  ebUnlinkRoot(fw, true, ifname, true);
  ebUnlinkRoot(fw, false, ifname, true);
  if (has("ipv6")) {
    iptUnlinkRoots(fw, "ipv6", ifname, true);
    iptRemoveRoots(fw, "ipv6", ifname, true);
  }
  if (has("ipv4")) {
    iptUnlinkRoots(fw, "ipv4", ifname, true);
    iptRemoveRoots(fw, "ipv4", ifname, true);
  }
  ebRemoveSubChains(fw, ifname, true);
  ebRemoveRoot(fw, true, ifname, true);
  ebRemoveRoot(fw, false, ifname, true);
  return fw;
}

/** `ebiptablesTearNewRulesFW`: the temporary chains removed. */
function tearNewRulesFW(fw: Firewall, ifname: string) {
  for (const layer of ["ipv4", "ipv6"] as const) {
    iptUnlinkRoots(fw, layer, ifname, true);
    iptRemoveRoots(fw, layer, ifname, true);
  }
  ebUnlinkRoot(fw, true, ifname, true);
  ebUnlinkRoot(fw, false, ifname, true);
  ebRemoveSubChains(fw, ifname, true);
  ebRemoveRoot(fw, true, ifname, true);
  ebRemoveRoot(fw, false, ifname, true);
}

/**
 * `ebiptablesTearNewRules`: the temporary chains of an update that did not go through removed.
 *
 * @example
 * ```ts
 * import { tearNewRules } from "./ebiptables.ts";
 * tearNewRules("vnet0").groups.length; // 1
 * ```
 */
export function tearNewRules(ifname: string): Firewall {
  const fw = new Firewall();
  fw.start(true);
  tearNewRulesFW(fw, ifname);
  return fw;
}

/**
 * `ebiptablesTearOldRules`: the chains in use removed, the temporary ones renamed into place.
 *
 * @example
 * ```ts
 * import { tearOldRules } from "./ebiptables.ts";
 * tearOldRules("vnet0").groups[0].ignoreErrors; // true
 * ```
 */
export function tearOldRules(ifname: string): Firewall {
  const fw = new Firewall();
  fw.start(true);
  for (const layer of ["ipv4", "ipv6"] as const) {
    iptUnlinkRoots(fw, layer, ifname, false);
    iptRemoveRoots(fw, layer, ifname, false);
    for (const [p, incoming] of IPT_ROOTS) {
      fw.add(layer, [
        "-E",
        iptRoot(p, incoming, ifname, true),
        iptRoot(p, incoming, ifname, false),
      ]);
    }
  }
  ebUnlinkRoot(fw, true, ifname, false);
  ebUnlinkRoot(fw, false, ifname, false);
  ebRemoveSubChains(fw, ifname, false);
  ebRemoveRoot(fw, true, ifname, false);
  ebRemoveRoot(fw, false, ifname, false);
  for (const p of "JP") {
    fw.add("ethernet", ["-t", "nat", "-L", ebRoot(p, ifname)], false, renameSubChainsQuery);
  }
  for (const incoming of [true, false]) {
    fw.add("ethernet", [
      "-t",
      "nat",
      "-E",
      ebRoot(prefixOf(incoming, true), ifname),
      ebRoot(prefixOf(incoming, false), ifname),
    ]);
  }
  return fw;
}

/**
 * `ebiptablesAllTeardown`: every chain and link of `ifname`, temporary or not.
 *
 * @example
 * ```ts
 * import { allTeardown } from "./ebiptables.ts";
 * allTeardown("vnet0").groups.length; // 1
 * ```
 */
export function allTeardown(ifname: string): Firewall {
  const fw = new Firewall();
  fw.start(true);
  tearNewRulesFW(fw, ifname);
  for (const layer of ["ipv4", "ipv6"] as const) {
    iptUnlinkRoots(fw, layer, ifname, false);
    fw.add(layer, ["-D", VIRT_IN_POST, ...PHYSDEV_IN, ifname, "-j", "ACCEPT"], true);
    iptRemoveRoots(fw, layer, ifname, false);
  }
  ebUnlinkRoot(fw, true, ifname, false);
  ebUnlinkRoot(fw, false, ifname, false);
  ebRemoveSubChains(fw, ifname, false);
  ebRemoveRoot(fw, true, ifname, false);
  ebRemoveRoot(fw, false, ifname, false);
  return fw;
}
