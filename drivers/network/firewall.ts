/**
 * A network's firewall rules as libvirt 9.0 makes them (network/bridge_driver_linux.c and
 * util/viriptables.c): **iptables/ip6tables**, the `LIBVIRT_INP/OUT/FWO/FWI/FWX` chains of the
 * filter table and `LIBVIRT_PRT` of nat and mangle, hooked into the built-in chains once.
 *
 * iptables rather than nftables because libvirt 9.0 uses iptables: the rules are the same
 * commands, in the same order, as libvirt's own networkxml2firewalltest expects (compared in
 * the tests), so a host that ran libvirt 9.0 sees the same rules, and a libvirt guide's
 * `iptables -L LIBVIRT_FWO` applies. On Debian 12 `iptables` is iptables-nft, so the rules land
 * in nftables' `ip filter`/`ip nat` tables all the same.
 *
 * @module
 */
import type { NetworkDef, NetworkIp } from "../../conf/network/mod.ts";
import { ipsOf, isIPv6, networkCIDR } from "./addr.ts";

/** One iptables command, program first. */
export type Rule = string[];

type Action = "--insert" | "--delete";
type Layer = "iptables" | "ip6tables";

const base = (layer: Layer, table: string, action: Action, chain: string) => [
  layer,
  "-w",
  "--table",
  table,
  action,
  chain,
];

/** `iptablesInput`/`iptablesOutput`. */
function port(
  layer: Layer,
  dir: "in" | "out",
  br: string,
  p: number,
  tcp: boolean,
  action: Action,
): Rule {
  return [
    ...base(layer, "filter", action, dir === "in" ? "LIBVIRT_INP" : "LIBVIRT_OUT"),
    dir === "in" ? "--in-interface" : "--out-interface",
    br,
    "--protocol",
    tcp ? "tcp" : "udp",
    "--destination-port",
    String(p),
    "--jump",
    "ACCEPT",
  ];
}

const layerOf = (ip: NetworkIp): Layer => isIPv6(ip) ? "ip6tables" : "iptables";
const physdev = (def: NetworkDef): string[] => {
  const first = def.forward.ifs[0];
  return first?.type === "netdev" ? [first.dev] : [];
};

/** `iptablesForwardAllowOut`. */
function allowOut(def: NetworkDef, ip: NetworkIp, action: Action): Rule {
  const dev = physdev(def);
  return [
    ...base(layerOf(ip), "filter", action, "LIBVIRT_FWO"),
    "--source",
    networkCIDR(ip),
    "--in-interface",
    def.bridge.name!,
    ...(dev.length ? ["--out-interface", dev[0]] : []),
    "--jump",
    "ACCEPT",
  ];
}

/** `iptablesForwardAllowRelatedIn` (`related`) and `iptablesForwardAllowIn`. */
function allowIn(def: NetworkDef, ip: NetworkIp, related: boolean, action: Action): Rule {
  const dev = physdev(def);
  return [
    ...base(layerOf(ip), "filter", action, "LIBVIRT_FWI"),
    "--destination",
    networkCIDR(ip),
    ...(dev.length ? ["--in-interface", dev[0]] : []),
    "--out-interface",
    def.bridge.name!,
    ...(related ? ["--match", "conntrack", "--ctstate", "ESTABLISHED,RELATED"] : []),
    "--jump",
    "ACCEPT",
  ];
}

/** `iptablesForwardMasquerade`. */
function masquerade(def: NetworkDef, ip: NetworkIp, protocol: string, action: Action): Rule {
  const net = networkCIDR(ip);
  const dev = physdev(def);
  const rule = [
    ...base(layerOf(ip), "nat", action, "LIBVIRT_PRT"),
    "--source",
    net,
    ...(protocol ? ["-p", protocol] : []),
    "!",
    "--destination",
    net,
    ...(dev.length ? ["--out-interface", dev[0]] : []),
  ];
  const nat = def.forward.nat;
  let [first, last] = [nat?.portStart ?? 0, nat?.portEnd ?? 0];
  if (!first && !last) [first, last] = [1024, 65535];
  const ports = protocol && first < last && last < 65536 ? `${first}-${last}` : undefined;
  const family = isIPv6(ip);
  const start = nat?.addressStart && nat.addressStart.includes(":") === family
    ? nat.addressStart
    : undefined;
  if (start) {
    const end = nat?.addressEnd && nat.addressEnd.includes(":") === family
      ? `-${nat.addressEnd}`
      : "";
    return [...rule, "--jump", "SNAT", "--to-source", `${start}${end}${ports ? `:${ports}` : ""}`];
  }
  return [...rule, "--jump", "MASQUERADE", ...(ports ? ["--to-ports", ports] : [])];
}

/** `iptablesForwardDontMasquerade`. */
function dontMasquerade(def: NetworkDef, ip: NetworkIp, dest: string, action: Action): Rule {
  const dev = physdev(def);
  return [
    ...base(layerOf(ip), "nat", action, "LIBVIRT_PRT"),
    ...(dev.length ? ["--out-interface", dev[0]] : []),
    "--source",
    networkCIDR(ip),
    "--destination",
    dest,
    "--jump",
    "RETURN",
  ];
}

/** `iptablesForwardRejectOut`/`RejectIn`/`AllowCross`. */
function forwardGeneral(layer: Layer, br: string, action: Action): Rule[] {
  const f = (chain: string, args: string[]) => [...base(layer, "filter", action, chain), ...args];
  return [
    f("LIBVIRT_FWO", ["--in-interface", br, "--jump", "REJECT"]),
    f("LIBVIRT_FWI", ["--out-interface", br, "--jump", "REJECT"]),
    f("LIBVIRT_FWX", ["--in-interface", br, "--out-interface", br, "--jump", "ACCEPT"]),
  ];
}

/** DNS (port 53) in and out, TCP then UDP. */
function dnsPorts(layer: Layer, br: string, action: Action): Rule[] {
  return [
    port(layer, "in", br, 53, true, action),
    port(layer, "in", br, 53, false, action),
    port(layer, "out", br, 53, true, action),
    port(layer, "out", br, 53, false, action),
  ];
}

/** `networkAddGeneralIPv4FirewallRules` and its IPv6 twin, in libvirt's order. */
function generalRules(def: NetworkDef, action: Action): { v4: Rule[]; v6: Rule[] } {
  const br = def.bridge.name!;
  const tftp = ipsOf(def, "ipv4").find((ip) =>
    ip.ranges.length || ip.hosts.length || ip.tftpRoot !== undefined
  )?.tftpRoot;
  const v4: Rule[] = [
    port("iptables", "in", br, 67, true, action),
    port("iptables", "in", br, 67, false, action),
    port("iptables", "out", br, 68, true, action),
    port("iptables", "out", br, 68, false, action),
    ...dnsPorts("iptables", br, action),
    ...(tftp !== undefined
      ? [
        port("iptables", "in", br, 69, false, action),
        port("iptables", "out", br, 69, false, action),
      ]
      : []),
    ...forwardGeneral("iptables", br, action),
  ];
  const v6: Rule[] = [];
  const hasV6 = ipsOf(def, "ipv6").length > 0;
  if (hasV6 || def.ipv6) v6.push(...forwardGeneral("ip6tables", br, action));
  if (hasV6) {
    v6.push(
      ...dnsPorts("ip6tables", br, action),
      port("ip6tables", "in", br, 547, false, action),
      port("ip6tables", "out", br, 546, false, action),
    );
  }
  return { v4, v6 };
}

/** `networkAddIPSpecificFirewallRules`, in adding order. */
function ipRules(def: NetworkDef, ip: NetworkIp, action: Action): Rule[] {
  const routing = [allowOut(def, ip, action), allowIn(def, ip, false, action)];
  if (def.forward.mode === "route") return routing;
  if (def.forward.mode !== "nat") return [];
  if (isIPv6(ip) && def.forward.nat?.ipv6 !== true) return routing;
  return [
    allowOut(def, ip, action),
    allowIn(def, ip, true, action),
    masquerade(def, ip, "", action),
    masquerade(def, ip, "udp", action),
    masquerade(def, ip, "tcp", action),
    ...(isIPv6(ip) ? [] : [dontMasquerade(def, ip, "255.255.255.255/32", action)]),
    dontMasquerade(def, ip, isIPv6(ip) ? "ff02::/16" : "224.0.0.0/24", action),
  ];
}

/** `iptablesOutputFixUdpChecksum` for a network serving DHCPv4. */
function checksumRules(def: NetworkDef, action: Action): Rule[] {
  const dhcp = ipsOf(def, "ipv4").some((ip) => ip.ranges.length || ip.hosts.length);
  return dhcp
    ? [[
      ...base("iptables", "mangle", action, "LIBVIRT_PRT"),
      "--out-interface",
      def.bridge.name!,
      "--protocol",
      "udp",
      "--destination-port",
      "68",
      "--jump",
      "CHECKSUM",
      "--checksum-fill",
    ]]
    : [];
}

/** What `networkAddFirewallRules` runs: the rules, their rollback, the best-effort rules. */
export interface FirewallPlan {
  /** Applied in order; the first failure stops and runs `rollback`. */
  rules: Rule[];
  /** Undoes `rules` (errors ignored). */
  rollback: Rule[];
  /** Applied after, errors ignored (the DHCP checksum fix-up). */
  optional: Rule[];
}

/**
 * The rules that start a network (`networkAddFirewallRules`), in libvirt's order.
 *
 * @example
 * ```ts
 * import { addFirewallRules } from "./firewall.ts";
 * import { parseNetworkXML } from "../../conf/network/mod.ts";
 * const def = parseNetworkXML("<network><name>n</name><forward mode='nat'/><bridge name='virbr1'/><ip address='10.0.0.1' prefix='24'/></network>");
 * addFirewallRules(def).rules.length; // 18
 * ```
 */
export function addFirewallRules(def: NetworkDef): FirewallPlan {
  const general = generalRules(def, "--insert");
  const rules = [...general.v4, ...general.v6];
  for (const ip of ipsOf(def)) rules.push(...ipRules(def, ip, "--insert"));
  return { rules, rollback: undoRules(def), optional: checksumRules(def, "--insert") };
}

/**
 * The rules that stop a network (`networkRemoveFirewallRules`), each undoing one of
 * {@link addFirewallRules}, in libvirt's order; every error is ignored.
 *
 * @example
 * ```ts
 * import { removeFirewallRules } from "./firewall.ts";
 * import { parseNetworkXML } from "../../conf/network/mod.ts";
 * const def = parseNetworkXML("<network><name>n</name><bridge name='virbr1'/><ip address='10.0.0.1' prefix='24'/></network>");
 * removeFirewallRules(def)[0][4]; // "--delete"
 * ```
 */
export function removeFirewallRules(def: NetworkDef): Rule[] {
  return [...checksumRules(def, "--delete"), ...undoRules(def)];
}

/** The deletions of the rules (not the optional ones) of {@link addFirewallRules}. */
function undoRules(def: NetworkDef): Rule[] {
  const out: Rule[] = [];
  for (const ip of ipsOf(def)) out.push(...ipRules(def, ip, "--delete").reverse());
  const general = generalRules(def, "--delete");
  // libvirt deletes the port rules in its own order: per port udp before tcp, 53 before 68/67.
  const v4 = general.v4;
  const ports = v4.slice(0, 8);
  const tftp = v4.slice(8, v4.length - 3);
  out.push(
    ...v4.slice(v4.length - 3).reverse(),
    ...tftp,
    ports[5],
    ports[4],
    ports[7],
    ports[6],
    ports[3],
    ports[2],
    ports[1],
    ports[0],
  );
  if (general.v6.length) {
    const [rejOut, rejIn, cross, ...p] = general.v6;
    out.push(...p.reverse(), cross, rejIn, rejOut);
  }
  return out;
}

/** The private chains and the built-in chain each hangs from, per table. */
const CHAINS: [string, string, string][] = [
  ["filter", "INPUT", "LIBVIRT_INP"],
  ["filter", "OUTPUT", "LIBVIRT_OUT"],
  ["filter", "FORWARD", "LIBVIRT_FWO"],
  ["filter", "FORWARD", "LIBVIRT_FWI"],
  ["filter", "FORWARD", "LIBVIRT_FWX"],
  ["nat", "POSTROUTING", "LIBVIRT_PRT"],
  ["mangle", "POSTROUTING", "LIBVIRT_PRT"],
];

/**
 * The tables whose rules {@link chainSetupRules} needs listed.
 *
 * @example
 * ```ts
 * import { CHAIN_TABLES } from "./firewall.ts";
 * CHAIN_TABLES.length; // 3
 * ```
 */
export const CHAIN_TABLES = ["filter", "nat", "mangle"] as const;

/**
 * `iptablesSetupPrivateChains`: given each table's `--list-rules` output, the commands that
 * create the missing private chains and hook them in.
 *
 * @example
 * ```ts
 * import { chainSetupRules } from "./firewall.ts";
 * chainSetupRules("iptables", { filter: "", nat: "", mangle: "" }).length; // 14
 * ```
 */
export function chainSetupRules(
  layer: Layer,
  listed: Record<(typeof CHAIN_TABLES)[number], string>,
): Rule[] {
  const out: Rule[] = [];
  for (const [table, parent, child] of CHAINS) {
    const lines = listed[table as keyof typeof listed].split("\n");
    if (!lines.includes(`-N ${child}`)) {
      out.push([layer, "-w", "--table", table, "--new-chain", child]);
    }
    const from = lines.find((l) => l.startsWith("-A ") && l.endsWith(` -j ${child}`));
    if (!from || from.split(" ")[1] !== parent) {
      out.push([layer, "-w", "--table", table, "--insert", parent, "--jump", child]);
    }
  }
  return out;
}
