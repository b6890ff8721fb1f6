/**
 * libvirt 9.0's `nwfilter_gentech_driver.c` up to the tech driver: a binding's filter tree
 * walked depth first into the rules to apply, each with its chain, priorities and variables
 * (`virNWFilterDefToInst`), after the variables every rule needs are checked
 * (`virNWFilterDetermineMissingVarsRec`, `virNWFilterDoInstantiate`). An `IP` that is missing
 * alone is learnt by libvirt (`CTRL_IP_LEARNING` `any` or `dhcp`); edgevirt has no learning, and
 * answers as a libvirt built without it does, rather than apply rules without the address.
 *
 * @module
 */
import { VirError } from "../../../util/errors.ts";
import type { NWFilterBindingDef, NWFilterDef, NWFilterRule } from "../../../conf/nwfilter/mod.ts";
import { PROTOCOLS } from "../../../conf/nwfilter/protocols.ts";
import { accessAvailable, parseVarAccess, printVarAccess, type Vars } from "./var_comb.ts";

/** A rule to apply (libvirt's `virNWFilterRuleInst`). */
export interface RuleInst {
  rule: NWFilterRule;
  /** The chain of the filter the rule is in (`root`, `mac`, `arp-x`, …). */
  chainSuffix: string;
  chainPriority: number;
  priority: number;
  /** The variables the rule sees. */
  vars: Vars;
  /** The rule's variable accesses (`$IP`, `$IP[1]`), in libvirt's order, each once. */
  accesses: string[];
}

const err = (code: "INTERNAL_ERROR" | "PARSE_FAILED", msg: string) =>
  VirError.report("NWFILTER", code, msg);

/**
 * The variable accesses of a rule, in the order of its protocol's attributes, as
 * `virNWFilterRuleDefAddVar` collects them.
 *
 * @example
 * ```ts
 * import { ruleAccesses } from "./instantiate.ts";
 * ruleAccesses({ action: "accept", direction: "in", priority: 500, noStatematch: false,
 *   protocol: "mac", items: { srcmacaddr: { text: "$MAC", num: 0, variable: true, neg: false } } });
 * // ["$MAC"]
 * ```
 */
export function ruleAccesses(rule: NWFilterRule): string[] {
  if (!rule.protocol) return [];
  const out: string[] = [];
  for (const spec of PROTOCOLS[rule.protocol].attrs) {
    const item = rule.items[spec.name];
    if (item?.variable && !out.includes(item.text)) out.push(item.text);
  }
  return out;
}

/** `virNWFilterCreateVarsFrom`: a reference's parameters, overridden by the caller's. */
const varsFrom = (params: Vars, vars: Vars): Vars => new Map([...params, ...vars]);

type Lookup = (name: string) => NWFilterDef | undefined;

function findFilter(lookup: Lookup, name: string): NWFilterDef {
  const def = lookup(name);
  if (!def) throw err("INTERNAL_ERROR", `referenced filter '${name}' is missing`);
  return def;
}

function missingVars(def: NWFilterDef, vars: Vars, lookup: Lookup, missing: Set<string>): void {
  for (const e of def.entries) {
    if ("rule" in e) {
      for (const text of ruleAccesses(e.rule)) {
        const a = parseVarAccess(text);
        if (!accessAvailable(a, vars)) missing.add(printVarAccess(a));
      }
    } else {
      const next = findFilter(lookup, e.ref.filter);
      missingVars(next, varsFrom(e.ref.params, vars), lookup, missing);
    }
  }
}

function toInsts(def: NWFilterDef, vars: Vars, lookup: Lookup, out: RuleInst[]): void {
  for (const e of def.entries) {
    if ("rule" in e) {
      out.push({
        rule: e.rule,
        chainSuffix: def.chain,
        chainPriority: def.priority,
        priority: e.rule.priority,
        vars,
        accesses: ruleAccesses(e.rule),
      });
    } else {
      toInsts(findFilter(lookup, e.ref.filter), varsFrom(e.ref.params, vars), lookup, out);
    }
  }
}

/**
 * The rules a binding puts on its port device, or libvirt's error when its variables do not
 * resolve. `MAC` defaults to the binding's address (`virNWFilterVarHashmapAddStdValue`).
 *
 * @example
 * ```ts
 * import { bindingRules } from "./instantiate.ts";
 * import { parseNWFilterXML } from "../../../conf/nwfilter/mod.ts";
 * const f = parseNWFilterXML("<filter name='f' chain='mac'><rule action='drop' direction='out'/></filter>");
 * bindingRules({ ownerName: "d", ownerUUID: "5c6d49af-b071-6127-b4ec-6f8ed4b55335",
 *   portdev: "vnet0", mac: "52:54:00:00:00:01", filter: "f", params: new Map() },
 *   (n) => n === "f" ? f : undefined).length; // 1
 * ```
 */
export function bindingRules(binding: NWFilterBindingDef, lookup: Lookup): RuleInst[] {
  const filter = findFilter(lookup, binding.filter);
  const vars: Vars = new Map(binding.params);
  if (!vars.has("MAC")) vars.set("MAC", [binding.mac]);
  const missing = new Set<string>();
  missingVars(filter, vars, lookup, missing);
  const learning = vars.get("CTRL_IP_LEARNING")?.[0] ?? "any";
  let reportIP = false;
  if (missing.size === 1 && missing.has("IP")) {
    switch (learning.toLowerCase()) {
      case "none":
        reportIP = true;
        break;
      case "dhcp":
        throw err(
          "INTERNAL_ERROR",
          "libvirt was not compiled with libpcap and \"CTRL_IP_LEARNING='dhcp'\" requires it.",
        );
      case "any":
        throw err(
          "INTERNAL_ERROR",
          "IP parameter must be given since libvirt was not compiled with IP address " +
            "learning support",
        );
      default:
        throw err("PARSE_FAILED", `filter '${filter.name}' learning value '${learning}' invalid.`);
    }
  }
  if (missing.size) {
    // virNWFilterPrintVars: MAC never, IP only when learning is off.
    const names = [...missing].filter((n) => n !== "MAC" && (n !== "IP" || reportIP));
    throw err(
      "INTERNAL_ERROR",
      "Cannot instantiate filter due to unresolvable variables or unavailable list elements: " +
        names.join(", "),
    );
  }
  const out: RuleInst[] = [];
  toInsts(filter, vars, lookup, out);
  return out;
}
