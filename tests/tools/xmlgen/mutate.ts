/**
 * Deliberate invalid mutations of a generated document, so that libvirt's refusals (error code,
 * domain and message) are compared too, and its silent drops of what it does not know.
 *
 * @example
 * ```ts
 * import { mutate } from "./mutate.ts";
 * import { Random } from "./random.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * const m = mutate(parse("<secret><uuid>x</uuid></secret>"), new Random("m"));
 * console.log(m.mutation); // e.g. "drop-element"
 * ```
 * @module
 */
import { stringify, type XmlElement } from "../../../util/xml/mod.ts";
import type { Random } from "./random.ts";

/** The mutations, by name. */
export const MUTATIONS = [
  "unknown-element",
  "unknown-attribute",
  "bad-attribute-value",
  "bad-text",
  "drop-element",
  "drop-attribute",
  "duplicate-element",
  "malformed",
] as const;

/** A mutation's name. */
export type Mutation = typeof MUTATIONS[number];

function elements(el: XmlElement): XmlElement[] {
  const out = [el];
  for (const c of el.children) if (c.type === "element") out.push(...elements(c));
  return out;
}

const BAD_VALUES = ["", "bogus", "-1", "18446744073709551616", "yes please", "0x", "1.5"];

/** The mutated document text and the mutation applied (`root` is changed in place). */
export function mutate(root: XmlElement, r: Random): { xml: string; mutation: Mutation } {
  const all = elements(root);
  const inner = all.slice(1);
  const withAttrs = all.filter((e) => Object.keys(e.attributes).length);
  const withText = all.filter((e) => e.children.some((c) => c.type === "text"));
  const mutation = r.pick(MUTATIONS.filter((m) => {
    if (m === "drop-element" || m === "duplicate-element") return inner.length > 0;
    if (m === "bad-attribute-value" || m === "drop-attribute") return withAttrs.length > 0;
    if (m === "bad-text") return withText.length > 0;
    return true;
  }));
  switch (mutation) {
    case "unknown-element":
      r.pick(all).children.push({
        type: "element",
        name: r.pick(["frobnicate", "extra", "vendor"]),
        attributes: {},
        children: [],
      });
      break;
    case "unknown-attribute":
      r.pick(all).attributes[r.pick(["frob", "color", "vendor"])] = "1";
      break;
    case "bad-attribute-value": {
      const e = r.pick(withAttrs);
      e.attributes[r.pick(Object.keys(e.attributes))] = r.pick(BAD_VALUES);
      break;
    }
    case "bad-text": {
      const e = r.pick(withText);
      e.children = [{ type: "text", text: r.pick(BAD_VALUES) }];
      break;
    }
    case "drop-element":
    case "duplicate-element": {
      const victim = r.pick(inner);
      const parent = all.find((p) => p.children.includes(victim))!;
      const i = parent.children.indexOf(victim);
      if (mutation === "drop-element") parent.children.splice(i, 1);
      else parent.children.splice(i, 0, structuredClone(victim));
      break;
    }
    case "drop-attribute": {
      const e = r.pick(withAttrs);
      delete e.attributes[r.pick(Object.keys(e.attributes))];
      break;
    }
    case "malformed": {
      const s = stringify(root);
      return { xml: s.slice(0, r.int(1, s.length - 2)), mutation };
    }
  }
  return { xml: stringify(root), mutation };
}
