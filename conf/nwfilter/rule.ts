/**
 * An nwfilter `<rule>` as libvirt 9.0 reads it (`virNWFilterRuleParse`,
 * `virNWFilterRuleDetailsParse`, `virNWFilterRuleValidate`, `virNWFilterRuleDefFixup`) and writes
 * it (`virNWFilterRuleDefFormat`).
 *
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { escapeXml, type XmlElement } from "../../util/xml/mod.ts";
import type { NWFilterItem, NWFilterRule } from "./model.ts";
import { PROTOCOLS } from "./protocols.ts";
import { readAttr } from "./values.ts";

const ACTIONS = ["drop", "accept", "reject", "return", "continue"];
const DIRECTIONS = ["in", "out", "inout"];
const MAX_RULE_PRIORITY = 1000;
const MIN_RULE_PRIORITY = -1000;
/** The IP protocols a port match needs (tcp, udp, dccp, sctp). */
const PORT_PROTOCOLS = [6, 17, 33, 132];

const err = (code: "INTERNAL_ERROR" | "CONFIG_UNSUPPORTED", msg: string) =>
  VirError.report("NWFILTER", code, msg);

/**
 * `virStrToLong_i` of a whole string, or undefined.
 *
 * @example
 * ```ts
 * import { strToInt } from "./rule.ts";
 * strToInt(" -500"); // -500
 * strToInt("5x"); // undefined
 * ```
 */
export function strToInt(s: string): number | undefined {
  const m = /^[\t\n\v\f\r ]*([+-]?[0-9]+)$/.exec(s);
  if (!m) return undefined;
  const v = Number(m[1]);
  return v >= -0x80000000 && v <= 0x7fffffff ? v : undefined;
}

/** `virNWFilterRuleDetailsParse`: the protocol element's attributes into `rule.items`. */
function parseDetails(el: XmlElement, rule: NWFilterRule): void {
  const neg = el.attributes.match === "no";
  let error: VirError | undefined;
  for (const spec of PROTOCOLS[rule.protocol!].attrs) {
    const prop = el.attributes[spec.name];
    if (prop === undefined) continue;
    const value = readAttr(spec, prop);
    if (value) rule.items[spec.name] = { ...value, neg };
    else {
      // libvirt reports each bad attribute and goes on: the last one's is the error.
      error = err("INTERNAL_ERROR", `${spec.name} has illegal value ${prop}`);
    }
  }
  if (error) throw error;
}

/** `virNWFilterRuleValidate`: an IP or IPv6 rule with ports needs a protocol with ports. */
function validateRule(rule: NWFilterRule): void {
  const label = { ip: "IP", ipv6: "IPv6" }[rule.protocol as "ip" | "ipv6"];
  if (!label) return;
  const ports = ["srcportstart", "dstportstart", "srcportend", "dstportend"];
  if (!ports.some((p) => rule.items[p])) return;
  if (PORT_PROTOCOLS.includes(rule.items.protocol?.num ?? -1)) return;
  throw err(
    "INTERNAL_ERROR",
    `${label} rule with port specification requires protocol specification with protocol ` +
      "to be either one of tcp(6), udp(17), dccp(33), or sctp(132)",
  );
}

/** `virNWFilterRuleDefFixup`: negations that follow their pair's, and the ipset defaults. */
function fixupRule(rule: NWFilterRule): void {
  const spec = PROTOCOLS[rule.protocol!];
  for (const [to, from] of spec.negCopies) {
    const item = rule.items[to];
    if (item) item.neg = rule.items[from]?.neg ?? false;
  }
  if (!spec.ipsetFixup) return;
  // virNWFilterRuleDefFixupIPSet: a set alone matches on the source; anything else drops both.
  if (rule.items.ipset && !rule.items.ipsetflags) {
    rule.items.ipsetflags = { text: "src", num: 0, variable: false, neg: false };
  } else {
    delete rule.items.ipset;
    delete rule.items.ipsetflags;
  }
}

/**
 * Parses a `<rule>` element.
 *
 * @example
 * ```ts
 * import { parseRule } from "./rule.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseRule(parse("<rule action='accept' direction='in'><tcp dstportstart='22'/></rule>")).priority; // 500
 * ```
 */
export function parseRule(el: XmlElement): NWFilterRule {
  const { action, direction, priority, statematch } = el.attributes;
  if (action === undefined) throw err("INTERNAL_ERROR", "rule node requires action attribute");
  if (!ACTIONS.includes(action)) {
    throw err("CONFIG_UNSUPPORTED", "unknown rule action attribute value");
  }
  if (direction === undefined) {
    throw err("INTERNAL_ERROR", "rule node requires direction attribute");
  }
  if (!DIRECTIONS.includes(direction)) {
    throw err("CONFIG_UNSUPPORTED", "unknown rule direction attribute value");
  }
  const prio = priority === undefined ? undefined : strToInt(priority);
  const rule: NWFilterRule = {
    action,
    direction,
    priority: prio !== undefined && prio <= MAX_RULE_PRIORITY && prio >= MIN_RULE_PRIORITY
      ? prio
      : MAX_RULE_PRIORITY / 2,
    noStatematch: statematch === "0" || statematch?.toLowerCase() === "false",
    items: {},
  };
  for (const kid of el.children) {
    if (kid.type !== "element") continue;
    // The first protocol element fixes the protocol; later ones of that name add to it.
    if (
      rule.protocol === undefined ? !Object.hasOwn(PROTOCOLS, kid.name) : kid.name !== rule.protocol
    ) {
      continue;
    }
    rule.protocol = kid.name;
    parseDetails(kid, rule);
    validateRule(rule);
  }
  if (rule.protocol) fixupRule(rule);
  return rule;
}

const attrText = (name: string, item: NWFilterItem) =>
  ` ${name}='${name === "comment" && !item.variable ? escapeXml(item.text) : item.text}'`;

/**
 * `virNWFilterRuleDefDetailsFormat`: the protocol element, split where `match='no'` starts or
 * stops applying (libvirt opens a new element there).
 */
function formatDetails(rule: NWFilterRule, indent: string): string {
  const type = rule.protocol!;
  const attrs = PROTOCOLS[type].attrs;
  let out = "";
  let open = false;
  let shown: "none" | "yes" | "no" = "none";
  for (let i = 0; i < attrs.length; i++) {
    const item = rule.items[attrs[i].name];
    if (!item) continue;
    if (!open) {
      out += `${indent}<${type}`;
      open = true;
    }
    if (item.neg && shown === "yes" || !item.neg && shown === "no") {
      out += "/>\n";
      open = false;
      shown = "none";
      i--;
      continue;
    }
    if (item.neg && shown === "none") out += " match='no'";
    shown = item.neg ? "no" : "yes";
    out += attrText(attrs[i].name, item);
  }
  if (open) out += "/>\n";
  if (!out) out = `${indent}<${type}/>\n`;
  return out;
}

/**
 * Formats a rule at `indent`.
 *
 * @example
 * ```ts
 * import { formatRule, parseRule } from "./rule.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * formatRule(parseRule(parse("<rule action='drop' direction='in'/>")), "  ");
 * // "  <rule action='drop' direction='in' priority='500'/>\n"
 * ```
 */
export function formatRule(rule: NWFilterRule, indent: string): string {
  let head = `${indent}<rule action='${rule.action}' direction='${rule.direction}' ` +
    `priority='${rule.priority}'`;
  if (rule.noStatematch) head += " statematch='false'";
  if (!rule.protocol) return `${head}/>\n`;
  return `${head}>\n${formatDetails(rule, `${indent}  `)}${indent}</rule>\n`;
}
