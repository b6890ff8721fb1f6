/**
 * Applying a network's iptables rules through the {@link HostRunner} as libvirt's
 * `virFirewallApply` does: the private chains made first, the rules in order, the rollback on
 * the first failure, errors of the best-effort rules and of every removal ignored.
 *
 * @module
 */
import type { NetworkDef } from "../../conf/network/mod.ts";
import { VirError } from "../../util/errors.ts";
import { ipsOf } from "./addr.ts";
import {
  addFirewallRules,
  CHAIN_TABLES,
  chainSetupRules,
  removeFirewallRules,
  type Rule,
} from "./firewall.ts";
import type { HostRunner } from "./runner.ts";

async function apply(runner: HostRunner, rule: Rule): Promise<void> {
  const r = await runner.run(rule);
  if (r.code !== 0) {
    throw VirError.report(
      "FIREWALL",
      "INTERNAL_ERROR",
      `Failed to apply firewall rules /usr/sbin/${rule.join(" ")}: ${r.stderr.trim()}`,
    );
  }
}

/** `iptablesSetupPrivateChains` for one layer. */
async function setupChains(runner: HostRunner, layer: "iptables" | "ip6tables"): Promise<void> {
  const listed = { filter: "", nat: "", mangle: "" };
  for (const table of CHAIN_TABLES) {
    const r = await runner.run([layer, "-w", "--table", table, "--list-rules"]);
    if (r.code !== 0) {
      throw VirError.report(
        "FIREWALL",
        "INTERNAL_ERROR",
        `Failed to apply firewall rules /usr/sbin/${layer} -w --table ${table} --list-rules: ${r.stderr.trim()}`,
      );
    }
    listed[table] = r.stdout;
  }
  for (const rule of chainSetupRules(layer, listed)) await apply(runner, rule);
}

/**
 * `networkAddFirewallRules`.
 *
 * @example
 * ```ts
 * import { addFirewall } from "./firewall_apply.ts";
 * declare const runner: import("./runner.ts").HostRunner;
 * declare const def: import("../../conf/network/mod.ts").NetworkDef;
 * await addFirewall(runner, def);
 * ```
 */
export async function addFirewall(runner: HostRunner, def: NetworkDef): Promise<void> {
  // libvirt makes the chains of both layers once, and fails a network only over a layer it uses.
  const needs = {
    iptables: ipsOf(def, "ipv4").length > 0 || def.routes.some((r) => !r.address.includes(":")),
    ip6tables: ipsOf(def, "ipv6").length > 0 || def.ipv6 === true ||
      def.routes.some((r) => r.address.includes(":")),
  };
  for (const layer of ["iptables", "ip6tables"] as const) {
    try {
      await setupChains(runner, layer);
    } catch (e) {
      if (needs[layer]) throw e;
    }
  }
  const plan = addFirewallRules(def);
  try {
    for (const rule of plan.rules) await apply(runner, rule);
  } catch (e) {
    for (const rule of plan.rollback) await runner.run(rule);
    throw e;
  }
  for (const rule of plan.optional) await runner.run(rule);
}

/**
 * `networkRemoveFirewallRules`: every rule of the network deleted, errors ignored.
 *
 * @example
 * ```ts
 * import { removeFirewall } from "./firewall_apply.ts";
 * declare const runner: import("./runner.ts").HostRunner;
 * declare const def: import("../../conf/network/mod.ts").NetworkDef;
 * await removeFirewall(runner, def);
 * ```
 */
export async function removeFirewall(runner: HostRunner, def: NetworkDef): Promise<void> {
  for (const rule of removeFirewallRules(def)) await runner.run(rule);
}
