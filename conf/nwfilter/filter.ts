/**
 * A `<filter>` document as libvirt 9.0 reads it (`virNWFilterDefParse`) and writes it
 * (`virNWFilterDefFormat`), with the VALIDATE flag's schema check.
 *
 * @module
 */
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import { generateUUID, parseUUID } from "../../util/uuid.ts";
import { parse, type XmlElement } from "../../util/xml/mod.ts";
import { xpathString } from "../common/values.ts";
import type { NWFilterDef, NWFilterEntry, NWFilterRef } from "./model.ts";
import { formatFilterRef, parseFilterParams } from "./params.ts";
import { formatRule, parseRule, strToInt } from "./rule.ts";
import { validateNWFilterSchema } from "./rng_schema.ts";

const MIN_PRIORITY = -1000;
const MAX_PRIORITY = 1000;
const MAX_CHAIN_SUFFIX_SIZE = 12;
const CHAIN_NAME = /^[A-Za-z0-9_.:-]*$/;

/** The chain suffixes in libvirt's order, with their default priorities (`chain_priorities`). */
const CHAINS: [string, number | undefined][] = [
  ["root", 0],
  ["mac", -800],
  ["vlan", -750],
  ["stp", undefined],
  ["arp", -500],
  ["rarp", -400],
  ["ipv4", -700],
  ["ipv6", -600],
];

const invalid = (msg: string) => VirError.report("NWFILTER", "INVALID_ARG", msg);

/** `virNWFilterIsAllowedChain`: the suffix a chain name starts with. */
function allowedChain(chain: string): string {
  if (chain.length > MAX_CHAIN_SUFFIX_SIZE) {
    throw invalid(`Name of chain is longer than ${MAX_CHAIN_SUFFIX_SIZE} characters`);
  }
  if (!CHAIN_NAME.test(chain)) throw invalid("Chain name contains invalid characters");
  // 'root' is a whole name, never a prefix: libvirt refuses a longer one without saying why.
  if (chain === "root") return "root";
  if (chain.startsWith("root")) {
    throw VirError.bare("NONE", "INTERNAL_ERROR", "An error occurred, but the cause is unknown");
  }
  const hit = CHAINS.find(([name]) => chain.startsWith(name));
  if (hit) return hit[0];
  throw invalid(
    `Invalid chain name '${chain}'. Please use a chain name called 'root' or any of the ` +
      `following prefixes: ${CHAINS.slice(1).map(([n]) => n).join(", ")}`,
  );
}

/** `virNWFilterIncludeParse`. */
function parseRef(el: XmlElement): NWFilterRef {
  const filter = el.attributes.filter;
  if (filter === undefined) {
    // libvirt's words for a filterref without its filter.
    throw VirError.report("NWFILTER", "INTERNAL_ERROR", "rule node requires action attribute");
  }
  return { filter, params: parseFilterParams(el) };
}

/**
 * Parses a `<filter>` document; `VIR_NWFILTER_DEFINE_VALIDATE` in `flags` first checks it
 * against libvirt's `nwfilter.rng`.
 *
 * @example
 * ```ts
 * import { parseNWFilterXML } from "./filter.ts";
 * parseNWFilterXML("<filter name='f' chain='ipv4'/>").priority; // -700
 * ```
 */
export function parseNWFilterXML(xml: string, flags = 0): NWFilterDef {
  const root = parse(xml, {
    context: "(nwfilter_definition)",
    errorDomain: "NWFILTER",
    expectRoot: "filter",
  });
  if (flags & VIR.NWFILTER_DEFINE_VALIDATE) validateNWFilterSchema(root);
  // virXPathString: an empty attribute is none.
  const name = root.attributes.name || undefined;
  if (name === undefined) {
    throw VirError.report("NWFILTER", "INTERNAL_ERROR", "filter has no name");
  }
  const prioText = root.attributes.priority || undefined;
  let prio: number | undefined;
  if (prioText !== undefined) {
    prio = strToInt(prioText);
    if (prio === undefined) throw invalid(`Could not parse chain priority '${prioText}'`);
    if (prio < MIN_PRIORITY || prio > MAX_PRIORITY) {
      throw invalid(
        `Priority '${prio}' is outside valid range of [${MIN_PRIORITY},${MAX_PRIORITY}]`,
      );
    }
  }
  const chainText = root.attributes.chain || undefined;
  let chain = "root";
  let priority = 0;
  if (chainText !== undefined) {
    const prefix = allowedChain(chainText);
    chain = chainText;
    // Without a priority, the suffix's own, else the middle of the range.
    priority = prio ?? CHAINS.find(([n]) => n === prefix)?.[1] ??
      (MAX_PRIORITY + MIN_PRIORITY) / 2;
  }
  const uuidText = xpathString(root, "uuid");
  let uuid = generateUUID();
  if (uuidText !== undefined) {
    const u = parseUUID(uuidText);
    if (!u) throw VirError.report("NWFILTER", "XML_ERROR", "malformed uuid element");
    uuid = u;
  }
  const entries: NWFilterEntry[] = [];
  for (const kid of root.children) {
    if (kid.type !== "element") continue;
    if (kid.name === "rule") entries.push({ rule: parseRule(kid) });
    else if (kid.name === "filterref") entries.push({ ref: parseRef(kid) });
  }
  return { name, chain, priority, uuid, uuidSpecified: uuidText !== undefined, entries };
}

/**
 * Formats a filter as libvirt's `virNWFilterDefFormat`.
 *
 * @example
 * ```ts
 * import { formatNWFilterXML, parseNWFilterXML } from "./filter.ts";
 * formatNWFilterXML(parseNWFilterXML(
 *   "<filter name='f'><uuid>5c6d49af-b071-6127-b4ec-6f8ed4b55335</uuid></filter>",
 * ));
 * // "<filter name='f' chain='root'>\n  <uuid>5c6d49af-…</uuid>\n</filter>\n"
 * ```
 */
export function formatNWFilterXML(def: NWFilterDef): string {
  let out = `<filter name='${def.name}' chain='${def.chain}'`;
  if (def.priority !== 0) out += ` priority='${def.priority}'`;
  out += `>\n  <uuid>${def.uuid}</uuid>\n`;
  for (const e of def.entries) {
    out += "rule" in e
      ? formatRule(e.rule, "  ")
      : formatFilterRef(e.ref.filter, e.ref.params, "  ");
  }
  return `${out}</filter>\n`;
}
