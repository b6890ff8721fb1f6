/**
 * Which schema names (`element`, `element@attribute`, as coverage.ts counts them) a pattern can
 * lead to, so that the coverage-directed generator can steer its choices towards names a run
 * has not reached yet. Attributes are bound to their element's name only at the element, since
 * a define of attributes (libvirt's `diskDriver`, …) is shared by several elements.
 *
 * @example
 * ```ts
 * import { Reach } from "./reach.ts";
 * import { loadGrammar } from "./rng_grammar.ts";
 * const g = loadGrammar("tests/fixtures/schemas/secret.rng");
 * new Reach(g).leadsTo(g.start, "", "usage@type"); // true
 * ```
 * @module
 */
import { deref, type Grammar, type Pattern } from "./rng_grammar.ts";

/** The names below a pattern: full names inside its elements, and its own bare attributes. */
interface Names {
  inside: Set<string>;
  attrs: Set<string>;
}

const none = (): Names => ({ inside: new Set(), attrs: new Set() });

/** Reachable names of every pattern of a grammar (and of the grammars it nests). */
export class Reach {
  /** Per define body: its names, grown to a fixpoint (defines refer to each other). */
  #defines = new Map<Pattern, Names>();
  #memo = new Map<Pattern, Names>();

  constructor(g: Grammar) {
    const bodies = defineBodies(g.start);
    for (const d of bodies) this.#defines.set(d, none());
    for (let changed = true; changed;) {
      changed = false;
      for (const d of bodies) {
        const now = this.#local(d, new Map());
        const was = this.#defines.get(d)!;
        if (now.inside.size !== was.inside.size || now.attrs.size !== was.attrs.size) {
          this.#defines.set(d, now);
          changed = true;
        }
      }
    }
  }

  /** Whether `p`, inside element `element`, can produce the name `target`. */
  leadsTo(p: Pattern, element: string, target: string): boolean {
    const n = this.#of(p);
    if (n.inside.has(target)) return true;
    const at = target.indexOf("@");
    return at > 0 && target.slice(0, at) === element && n.attrs.has(target.slice(at + 1));
  }

  #of(p: Pattern): Names {
    let n = this.#memo.get(p);
    if (!n) this.#memo.set(p, n = this.#local(p, this.#memo));
    return n;
  }

  /** Names of `p`, taking each ref's current define value (no recursion through refs). */
  #local(p: Pattern, memo: Map<Pattern, Names>): Names {
    const known = memo.get(p);
    if (known) return known;
    let out: Names;
    switch (p.t) {
      case "element": {
        const body = this.#local(p.body, memo);
        out = none();
        for (const x of body.inside) out.inside.add(x);
        if ("name" in p.name) {
          out.inside.add(p.name.name);
          for (const a of body.attrs) out.inside.add(`${p.name.name}@${a}`);
        }
        break;
      }
      case "attribute":
        out = none();
        if ("name" in p.name) out.attrs.add(p.name.name);
        break;
      case "group":
      case "interleave":
      case "choice":
        out = none();
        for (const x of p.items) union(out, this.#local(x, memo));
        break;
      case "optional":
      case "zeroOrMore":
      case "oneOrMore":
      case "list":
        out = this.#local(p.body, memo);
        break;
      case "ref":
        out = this.#defines.get(deref(p)) ?? none();
        break;
      default:
        out = none();
    }
    memo.set(p, out);
    return out;
  }
}

function union(into: Names, from: Names): void {
  for (const x of from.inside) into.inside.add(x);
  for (const x of from.attrs) into.attrs.add(x);
}

/** Every define body reachable from `start`. */
function defineBodies(start: Pattern): Pattern[] {
  const out = new Set<Pattern>();
  const seen = new Set<Pattern>();
  const walk = (p: Pattern): void => {
    if (seen.has(p)) return;
    seen.add(p);
    switch (p.t) {
      case "element":
      case "attribute":
      case "optional":
      case "zeroOrMore":
      case "oneOrMore":
      case "list":
        return walk(p.body);
      case "group":
      case "interleave":
      case "choice":
        return p.items.forEach(walk);
      case "ref": {
        const d = deref(p);
        out.add(d);
        return walk(d);
      }
    }
  };
  walk(start);
  return [...out];
}
