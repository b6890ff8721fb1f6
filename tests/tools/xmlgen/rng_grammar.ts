/**
 * A RELAX NG (XML syntax) grammar loader for libvirt's schemas, parsed with the project's
 * `util/xml`: includes (with overriding defines), `combine="choice|interleave"`, nested
 * `<grammar>` scopes and `<div>` are resolved into one {@link Pattern} tree per grammar, which
 * the generator walks. Only the constructs libvirt's schemas use are understood; anything else
 * is refused, so a schema update cannot be half-read silently.
 *
 * @example
 * ```ts
 * import { loadGrammar } from "./rng_grammar.ts";
 * const g = loadGrammar("tests/fixtures/schemas/secret.rng");
 * console.log(g.start.t); // "ref"
 * ```
 * @module
 */
import { dirname, join } from "node:path";
import { parse, textOf, type XmlElement } from "../../../util/xml/mod.ts";

/** An element or attribute name: a fixed name, or any name (`<anyName/>`). */
export type NameClass = { name: string } | { any: true };

/** One node of a RELAX NG pattern. */
export type Pattern =
  | { t: "element"; name: NameClass; body: Pattern }
  | { t: "attribute"; name: NameClass; body: Pattern }
  | { t: "group" | "interleave" | "choice"; items: Pattern[] }
  | { t: "optional" | "zeroOrMore" | "oneOrMore" | "list"; body: Pattern }
  | { t: "ref"; name: string; grammar: Grammar }
  | { t: "value"; value: string }
  | { t: "data"; type: string; params: Record<string, string>; except?: Pattern }
  | { t: "text" }
  | { t: "empty" }
  | { t: "notAllowed" };

/** One `<grammar>`: its start pattern and named definitions. */
export interface Grammar {
  start: Pattern;
  defines: Map<string, Pattern>;
  parent?: Grammar;
}

interface Define {
  combine?: string;
  body: Pattern;
}

/** The pieces one grammar file contributes before its defines are combined. */
interface Parts {
  starts: Define[];
  defines: Map<string, Define[]>;
}

function kids(el: XmlElement): XmlElement[] {
  return el.children.filter((c): c is XmlElement => c.type === "element");
}

function group(items: Pattern[]): Pattern {
  return items.length === 1 ? items[0] : { t: "group", items };
}

function combineAll(list: Define[], what: string): Pattern {
  if (list.length === 1) return list[0].body;
  const how = list.find((d) => d.combine)?.combine;
  if (how !== "choice" && how !== "interleave") throw new Error(`${what}: defined twice`);
  return { t: how, items: list.map((d) => d.body) };
}

/** Loads a grammar file (and everything it includes) from disk. */
export function loadGrammar(file: string): Grammar {
  return new Loader().top(file);
}

class Loader {
  /** Patterns are built inside a grammar scope; refs point at the scope they appear in. */
  #scope?: Grammar;

  grammar(root: XmlElement, dir: string, parent?: Grammar): Grammar {
    if (root.name !== "grammar") throw new Error(`expected <grammar>, found <${root.name}>`);
    const g: Grammar = { start: { t: "notAllowed" }, defines: new Map(), parent };
    const outer = this.#scope;
    this.#scope = g;
    const parts: Parts = { starts: [], defines: new Map() };
    this.#components(root, dir, parts, new Set());
    for (const [name, list] of parts.defines) g.defines.set(name, combineAll(list, name));
    if (parts.starts.length) g.start = combineAll(parts.starts, "start");
    this.#scope = outer;
    return g;
  }

  /** Grammar content of `el` into `parts`; `seen` stops a file included twice in one grammar. */
  #components(el: XmlElement, dir: string, parts: Parts, seen: Set<string>): void {
    for (const c of kids(el)) {
      switch (c.name) {
        case "start":
          parts.starts.push({ combine: c.attributes.combine, body: this.#body(c) });
          break;
        case "define": {
          const list = parts.defines.get(c.attributes.name) ?? [];
          list.push({ combine: c.attributes.combine, body: this.#body(c) });
          parts.defines.set(c.attributes.name, list);
          break;
        }
        case "div":
          this.#components(c, dir, parts, seen);
          break;
        case "include":
          this.#include(c, dir, parts, seen);
          break;
        default:
          throw new Error(`unsupported grammar content <${c.name}>`);
      }
    }
  }

  /** An include's defines are replaced by those given inside the `<include>` element. */
  #include(c: XmlElement, dir: string, parts: Parts, seen: Set<string>): void {
    const file = join(dir, c.attributes.href);
    const overrides: Parts = { starts: [], defines: new Map() };
    this.#components(c, dir, overrides, seen);
    if (!seen.has(file)) {
      seen.add(file);
      const included: Parts = { starts: [], defines: new Map() };
      const root = parse(Deno.readTextFileSync(file));
      this.#components(root, dirname(file), included, seen);
      if (!overrides.starts.length) parts.starts.push(...included.starts);
      for (const [name, list] of included.defines) {
        if (overrides.defines.has(name)) continue;
        parts.defines.set(name, [...(parts.defines.get(name) ?? []), ...list]);
      }
    }
    parts.starts.push(...overrides.starts);
    for (const [name, list] of overrides.defines) {
      parts.defines.set(name, [...(parts.defines.get(name) ?? []), ...list]);
    }
  }

  #body(el: XmlElement): Pattern {
    return group(kids(el).map((k) => this.#pattern(k)));
  }

  #nameClass(el: XmlElement): [NameClass, XmlElement[]] {
    if (el.attributes.name !== undefined) return [{ name: el.attributes.name }, kids(el)];
    const [first, ...rest] = kids(el);
    if (first?.name === "name") return [{ name: textOf(first)?.trim() ?? "" }, rest];
    if (first?.name === "anyName") return [{ any: true }, rest];
    throw new Error(`unsupported name class in <${el.name}>`);
  }

  #pattern(el: XmlElement): Pattern {
    switch (el.name) {
      case "element":
      case "attribute": {
        const [name, rest] = this.#nameClass(el);
        const body = rest.length ? group(rest.map((k) => this.#pattern(k))) : { t: "text" };
        return { t: el.name, name, body } as Pattern;
      }
      case "group":
      case "interleave":
      case "choice":
        return { t: el.name, items: kids(el).map((k) => this.#pattern(k)) };
      case "mixed":
        return { t: "interleave", items: [{ t: "text" }, this.#body(el)] };
      case "optional":
      case "zeroOrMore":
      case "oneOrMore":
      case "list":
        return { t: el.name, body: this.#body(el) };
      case "ref":
        return { t: "ref", name: el.attributes.name, grammar: this.#scope! };
      case "parentRef":
        return { t: "ref", name: el.attributes.name, grammar: this.#scope!.parent! };
      case "value":
        return { t: "value", value: textOf(el) ?? "" };
      case "data": {
        const params: Record<string, string> = {};
        let except: Pattern | undefined;
        for (const k of kids(el)) {
          if (k.name === "param") params[k.attributes.name] = textOf(k) ?? "";
          else if (k.name === "except") except = this.#body(k);
        }
        return { t: "data", type: el.attributes.type, params, except };
      }
      case "text":
      case "empty":
      case "notAllowed":
        return { t: el.name };
      case "grammar":
        return this.#nested(el);
      default:
        throw new Error(`unsupported pattern <${el.name}>`);
    }
  }

  /** A nested grammar is a pattern: its start, with its own scope for refs. */
  #nested(el: XmlElement): Pattern {
    // Nested includes resolve relative to the schema folder, like the outer ones.
    const dir = this.#dir;
    return this.grammar(el, dir, this.#scope).start;
  }

  /** The folder of the top file, used for includes inside nested grammars. */
  #dir = ".";

  /** Loads the top file, remembering its folder for nested grammars. */
  top(file: string): Grammar {
    this.#dir = dirname(file);
    return this.grammar(parse(Deno.readTextFileSync(file)), this.#dir);
  }
}

/** Resolves a `ref` to its definition (searching only the grammar it names). */
export function deref(p: Extract<Pattern, { t: "ref" }>): Pattern {
  const d = p.grammar.defines.get(p.name);
  if (!d) throw new Error(`undefined pattern ${p.name}`);
  return d;
}
