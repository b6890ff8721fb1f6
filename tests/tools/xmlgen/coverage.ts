/**
 * Schema coverage: which elements and attributes of each kind's schema (`element` and
 * `element@attribute`, by name) occur in the generated documents, and in those libvirt and
 * edgevirt answer identically.
 *
 * @example
 * ```ts
 * import { schemaNames } from "./coverage.ts";
 * schemaNames("secret").has("usage@type"); // true
 * ```
 * @module
 */
import { parse, type XmlElement } from "../../../util/xml/mod.ts";
import { type Kind, KINDS, schemaFile } from "./kinds.ts";
import type { Recorded } from "./recording.ts";
import { deref, loadGrammar, type Pattern } from "./rng_grammar.ts";

/** Every fixed element and attribute name a kind's schema allows. */
export function schemaNames(kind: Kind): Set<string> {
  const out = new Set<string>();
  const seen = new Set<Pattern>();
  const walk = (p: Pattern, parent: string): void => {
    switch (p.t) {
      case "element": {
        // An element whose content is notAllowed (libvirt's privateData placeholders) is one
        // the schema does not allow at all.
        if (seen.has(p) || p.body.t === "notAllowed") return;
        seen.add(p);
        const name = "name" in p.name ? p.name.name : "*";
        if (name !== "*") out.add(name);
        return walk(p.body, name);
      }
      case "attribute":
        if ("name" in p.name && parent !== "*") out.add(`${parent}@${p.name.name}`);
        return;
      case "group":
      case "interleave":
      case "choice":
        return p.items.forEach((x) => walk(x, parent));
      case "optional":
      case "zeroOrMore":
      case "oneOrMore":
      case "list":
        return walk(p.body, parent);
      case "ref":
        return walkRef(p, parent);
    }
  };
  // Refs are shared between elements, so they are walked once per (define, parent) pair.
  const refSeen = new Set<string>();
  const walkRef = (p: Extract<Pattern, { t: "ref" }>, parent: string): void => {
    const key = `${parent}>${p.name}`;
    if (refSeen.has(key)) return;
    refSeen.add(key);
    walk(deref(p), parent);
  };
  walk(loadGrammar(schemaFile(kind)).start, "");
  return out;
}

/** The element and attribute names a document uses. */
export function documentNames(xml: string, out: Set<string> = new Set()): Set<string> {
  let root: XmlElement;
  try {
    root = parse(xml);
  } catch {
    return out;
  }
  const walk = (el: XmlElement): void => {
    out.add(el.name);
    for (const a of Object.keys(el.attributes)) out.add(`${el.name}@${a}`);
    for (const c of el.children) if (c.type === "element") walk(c);
  };
  walk(root);
  return out;
}

function pct(n: number, d: number): string {
  return d ? `${(100 * n / d).toFixed(1)} %` : "-";
}

/**
 * The coverage table (markdown): per kind, schema names reached by the generated documents, by
 * the documents in `matched` (ids answered identically), and by those of them libvirt accepted
 * (whose names were formatted, not only parsed up to an error), with the names never reached.
 */
export function coverageReport(rows: Recorded[], matched?: Set<string>): string {
  const lines = [
    "| kind | schema names | reached by the generator | reached by identical documents | " +
    "by identical accepted documents |",
    "|---|---|---|---|---|",
  ];
  const missing: string[] = [];
  // Kinds the recording has no document of (CPU documents are only in the VALIDATE corpus).
  for (const kind of KINDS.filter((k) => rows.some((r) => r.kind === k))) {
    const schema = schemaNames(kind);
    const gen = new Set<string>();
    const same = new Set<string>();
    const accepted = new Set<string>();
    for (const r of rows.filter((x) => x.kind === kind)) {
      documentNames(r.input, gen);
      if (matched?.has(r.id)) documentNames(r.input, same);
      if (matched?.has(r.id) && r.ok) documentNames(r.input, accepted);
    }
    const cell = (s: Set<string>) => {
      const n = [...s].filter((x) => schema.has(x)).length;
      return `${n} (${pct(n, schema.size)})`;
    };
    lines.push(
      `| ${kind} | ${schema.size} | ${cell(gen)} | ` +
        (matched ? `${cell(same)} | ${cell(accepted)}` : "- | -") + " |",
    );
    const never = [...schema].filter((n) => !gen.has(n)).sort();
    if (never.length) missing.push(`- ${kind}: ${never.join(", ")}`);
  }
  if (missing.length) lines.push("", "Never generated:", "", ...missing);
  return lines.join("\n") + "\n";
}
