/**
 * A libvirt RELAX NG schema loaded the way libxml2 2.9 (libvirt 9.0's validator) loads it, so
 * that {@link ../common/relaxng_validate.ts} can walk it as libxml2 does and report the same
 * lines: the definitions libxml2's parser builds (an element's attributes apart from its
 * content, `<optional>`'s children grouped), its simplifications (empty groups dropped, groups
 * of one collapsed, attribute-only content moved to the element's attributes), and per element
 * whether libxml2 validates its content with a compiled automaton (see `relaxng_automaton.ts`).
 *
 * The schema comes as JSON ({@link RngJson}), copied from the schema files by
 * `tests/tools/rng_json.ts`. Constructs libvirt's schemas do not use (`<list>`, name classes
 * beyond `<anyName/>`, typed `<value>`s) are refused when the schema is loaded; a nested
 * grammar is one that includes a schema file given apart.
 *
 * @example
 * ```ts
 * import { loadRelaxNG } from "./relaxng_schema.ts";
 * const schema = loadRelaxNG({
 *   source: "demo",
 *   start: [{ e: "element", a: { name: "demo" }, c: [{ e: "text" }] }],
 *   defines: {},
 * });
 * schema.start.type; // "start"
 * ```
 * @module
 */
import { type Automaton, compileElements } from "./relaxng_automaton.ts";
import { checkFacetParam, isKnownType } from "./xsd_datatypes.ts";

/** One schema element as JSON: tag, attributes, child elements or text. */
export interface RngNode {
  e: string;
  a?: Record<string, string>;
  c?: RngNode[];
  v?: string;
}

/** A schema as JSON: where it was copied from, its `<start>` and its `<define>`s. */
export interface RngJson {
  source: string;
  start: RngNode[];
  defines: Record<string, RngNode[]>;
}

/** libxml2's definition kinds (xmlRelaxNGType) that libvirt's node device schema uses. */
export type DefType =
  | "empty"
  | "notAllowed"
  | "text"
  | "element"
  | "datatype"
  | "value"
  | "attribute"
  | "def"
  | "ref"
  | "optional"
  | "zeroOrMore"
  | "oneOrMore"
  | "choice"
  | "group"
  | "interleave"
  | "start"
  | "noop"
  | "except";

/** An interleave's partition (xmlRelaxNGPartition): which branch each child belongs to. */
export interface Partition {
  groups: { rule: Def; defs: Def[] }[];
  /** Element name (or `#text`) to branch index, when every branch starts distinctly. */
  triage?: Map<string, number>;
  mixed: boolean;
}

/** One definition (xmlRelaxNGDefine). */
export interface Def {
  type: DefType;
  /** Element, attribute, define or data type name; none for an `<anyName/>`. */
  name?: string;
  /**
   * An element's namespace: `""` for none, undefined for an `<anyName/>` (any namespace), as
   * libxml2's define->ns.
   */
  ns?: string;
  /** A `<value>`'s text. */
  value?: string;
  /** Data type parameters (libxml2 keeps them in `attrs`). */
  params: [string, string][];
  content: Def[];
  /** An element's attribute definitions. */
  attrs: Def[];
  /** A data type's `<except>`. */
  except?: Def;
  /** A choice's branch by first element name, when libxml2 can pick it that way. */
  triage?: Map<string, Def> | null;
  partition?: Partition;
  /** An element whose content libxml2 validates with a compiled automaton. */
  automaton?: Automaton;
  nullable?: boolean;
}

/** A loaded schema: its start definition and the file name libvirt reports. */
export interface RelaxNG {
  start: Def;
}

function def(type: DefType, extra: Partial<Def> = {}): Def {
  return { type, params: [], content: [], attrs: [], ...extra };
}

/**
 * The name of an element or attribute: its `name` attribute or its `<name>` child, or
 * undefined for an `<anyName/>` without `<except>`.
 */
function nameOf(n: RngNode): [string | undefined, RngNode[]] {
  const kids = n.c ?? [];
  if (n.a?.name !== undefined) return [n.a.name.trim(), kids];
  if (kids[0]?.e === "name") return [(kids[0].v ?? "").trim(), kids.slice(1)];
  if (kids[0]?.e === "anyName" && !kids[0].c?.length) return [undefined, kids.slice(1)];
  throw new Error(`relaxng: unsupported name class in <${n.e}>`);
}

/** xmlRelaxNGParse* over the JSON copy of a schema. */
class Parser {
  readonly defs = new Map<string, Def>();

  /**
   * `grammars`: the JSON copies of the files nested grammars include, by href; `parsers`: one
   * parser per set of defines, so grammars that share them (domain.rng and inactiveDomain.rng)
   * share their definitions.
   */
  constructor(
    private readonly json: RngJson,
    private readonly grammars: Record<string, RngJson> = {},
    private readonly parsers = new Map<object, Parser>(),
  ) {
    parsers.set(json.defines, this);
  }

  /**
   * xmlRelaxNGParsePattern's `<grammar>`: a grammar of its own, whose references stay inside it,
   * standing for its start.
   */
  nested(href: string): Def {
    const json = this.grammars[href];
    if (!json) throw new Error(`relaxng: nested grammar ${href} not given`);
    const parser = this.parsers.get(json.defines) ??
      new Parser(json, this.grammars, this.parsers);
    const content = parser.patterns(json.start, true, "");
    if (content.length !== 1) throw new Error(`relaxng: ${href}: one start pattern expected`);
    return content[0];
  }

  define(name: string): Def {
    let d = this.defs.get(name);
    if (!d) {
      const body = this.json.defines[name];
      if (!body) throw new Error(`relaxng: undefined ref ${name}`);
      d = def("def", { name });
      this.defs.set(name, d);
      // A `ns` is inherited through the schema's own elements, not through a ref.
      d.content = this.patterns(body, false, "");
    }
    return d;
  }

  /**
   * xmlRelaxNGParsePatterns: a list; with `group`, a list whose first two patterns are
   * elements becomes one group (libxml2's parser wraps it so).
   */
  patterns(nodes: RngNode[], group: boolean, ns: string): Def[] {
    const out = nodes.map((n) => this.pattern(n, ns));
    const wrap = group && out.length > 1 && out[0].type === "element" && out[1].type === "element";
    return wrap ? [def("group", { content: out })] : out;
  }

  pattern(n: RngNode, inherited: string): Def {
    const ns = n.a?.ns ?? inherited;
    switch (n.e) {
      case "element":
        return this.element(n, ns);
      case "attribute": {
        const [name, rest] = nameOf(n);
        // libxml2's cleanup gives an attribute without a pattern a <text/>.
        return def("attribute", {
          name,
          content: [rest.length ? this.pattern(rest[0], ns) : def("text")],
        });
      }
      case "optional":
      case "zeroOrMore":
      case "oneOrMore":
        return def(n.e, { content: this.patterns(n.c ?? [], true, ns) });
      case "choice":
      case "group":
        return def(n.e, { content: this.patterns(n.c ?? [], false, ns) });
      case "interleave":
        return def("interleave", { content: (n.c ?? []).map((c) => this.pattern(c, ns)) });
      case "ref":
        return def("ref", { name: n.a!.name, content: [this.define(n.a!.name)] });
      case "grammar":
        return this.nested(n.a!.href);
      case "data":
        return this.data(n);
      case "value":
        if (n.a?.type !== undefined) throw new Error("relaxng: typed <value> is not supported");
        return def("value", { value: n.v ?? "" });
      case "text":
      case "empty":
      case "notAllowed":
        return def(n.e);
      default:
        throw new Error(`relaxng: unsupported pattern <${n.e}>`);
    }
  }

  /**
   * xmlRelaxNGParseElement: attributes are prepended to `attrs`; content starting with an
   * element and going on is wrapped in a group.
   */
  element(n: RngNode, ns: string): Def {
    const [name, rest] = nameOf(n);
    const el = def("element", { name, ns: name === undefined ? undefined : ns });
    for (const c of rest) {
      const cur = this.pattern(c, ns);
      if (cur.type === "attribute") el.attrs.unshift(cur);
      else el.content.push(cur);
    }
    if (el.content.length > 1 && el.content[0].type === "element") {
      el.content = [def("group", { content: el.content })];
    }
    return el;
  }

  data(n: RngNode): Def {
    const type = n.a!.type;
    if (!isKnownType(type)) throw new Error(`relaxng: data type ${type} is not supported`);
    const d = def("datatype", { name: type });
    for (const c of n.c ?? []) {
      if (c.e === "param") {
        checkFacetParam(type, c.a!.name, c.v ?? "");
        d.params.push([c.a!.name, c.v ?? ""]);
      } else if (c.e === "except") {
        d.except = def("except", { content: (c.c ?? []).map((k) => this.pattern(k, "")) });
      } else throw new Error(`relaxng: unexpected <${c.e}> in <data>`);
    }
    return d;
  }
}

const CONTAINERS = new Set<DefType>([
  "choice",
  "interleave",
  "group",
  "oneOrMore",
  "zeroOrMore",
  "optional",
  "ref",
  "def",
]);

/** xmlRelaxNGGenerateAttributes: whether `d` can only produce attributes. */
function attributesOnly(d: Def): boolean {
  const stop = new Set<DefType>(["element", "text", "datatype", "value", "empty"]);
  const walk = (cur: Def): boolean =>
    !stop.has(cur.type) && (!CONTAINERS.has(cur.type) || cur.content.every(walk));
  return walk(d);
}

/** xmlRelaxNGSimplify over one definition list (`parent`'s content, or its attributes). */
function simplify(list: Def[], parent: Def | undefined, done: Set<Def>): void {
  for (let i = 0; i < list.length;) {
    let cur = list[i];
    if (cur.type === "ref") {
      const target = cur.content[0];
      if (!done.has(target)) {
        done.add(target);
        simplify(cur.content, cur, done);
      }
      i++;
      continue;
    }
    if (cur.type !== "notAllowed" && cur.type !== "empty") {
      if (cur.content.length) simplify(cur.content, cur, done);
      if (cur.attrs.length) simplify(cur.attrs, cur, done);
      if (cur.type === "element") hoistAttributes(cur);
      if ((cur.type === "group" || cur.type === "interleave") && cur.content.length <= 1) {
        if (!cur.content.length) cur.type = "empty";
        else if (!parent && i === 0) cur.type = "noop";
        else list[i] = cur = cur.content[0];
      }
    }
    if (cur.type === "notAllowed") {
      const p = parent?.type;
      if (
        p === "attribute" || p === "group" || p === "interleave" || p === "oneOrMore" ||
        p === "zeroOrMore"
      ) {
        parent!.type = "notAllowed";
        return;
      }
      if (p === "choice") {
        list.splice(i, 1);
        continue;
      }
    } else if (cur.type === "empty") {
      const p = parent?.type;
      if (p === "oneOrMore" || p === "zeroOrMore") {
        parent!.type = "empty";
        return;
      }
      if (p === "group" || p === "interleave") {
        list.splice(i, 1);
        continue;
      }
    }
    i++;
  }
}

/** Simplify's last step on elements: content that only makes attributes joins `attrs`. */
function hoistAttributes(el: Def): void {
  while (el.content.length && attributesOnly(el.content[0])) el.attrs.unshift(el.content.shift()!);
  for (let j = 1; j < el.content.length;) {
    if (attributesOnly(el.content[j])) el.attrs.unshift(...el.content.splice(j, 1));
    else j++;
  }
}

/**
 * xmlRelaxNGIsNullable: 1, 0, or -1 for the kinds libxml2 has no answer for (`optional`,
 * `zeroOrMore`), which its callers take as "not 0" or "not 1" as they come.
 */
export function isNullable(d: Def): 1 | 0 | -1 {
  if (d.nullable !== undefined) return d.nullable ? 1 : 0;
  let ret: 1 | 0 | -1;
  switch (d.type) {
    case "empty":
    case "text":
      ret = 1;
      break;
    case "noop":
    case "def":
    case "ref":
    case "oneOrMore":
      ret = isNullable(d.content[0]);
      break;
    case "choice":
      ret = 0;
      for (const c of d.content) if ((ret = isNullable(c)) !== 0) break;
      break;
    case "start":
    case "interleave":
    case "group":
      ret = 1;
      for (const c of d.content) if ((ret = isNullable(c)) !== 1) break;
      break;
    case "optional":
    case "zeroOrMore":
      return -1;
    default:
      ret = 0;
  }
  if (ret !== -1) d.nullable = ret === 1;
  return ret;
}

/**
 * xmlRelaxNGGetElements: the elements and texts `d` holds outside any element (every one of
 * a sequence, not only its first).
 */
export function topDefs(d: Def): Def[] {
  if (d.type === "element" || d.type === "text") return [d];
  return CONTAINERS.has(d.type) ? d.content.flatMap(topDefs) : [];
}

/**
 * The key libxml2's triage tables file an element or text definition under (its hash's name
 * and namespace): `#text`, the element's name or `#any` for an `<anyName/>`, and `|ns` when it
 * has a namespace.
 */
function triageKey(t: Def): string {
  if (t.type === "text") return "#text";
  return (t.name ?? "#any") + (t.ns ? `|${t.ns}` : "");
}

/**
 * The entry of a triage table (see {@link triageKey}) for a child element of local name `name`
 * in namespace `ns` (null for none), looked up as libxml2 looks: by name, then as any name in
 * that namespace, then as any name.
 */
export function triageLookup<T>(
  table: Map<string, T>,
  name: string,
  ns: string | null,
): T | undefined {
  if (ns) return table.get(`${name}|${ns}`) ?? table.get(`#any|${ns}`) ?? table.get("#any");
  return table.get(name) ?? table.get("#any");
}

/**
 * xmlRelaxNGCheckChoiceDeterminism's triage: when no branch is nullable and every branch's
 * elements are distinct names, libxml2 picks the branch by the next node's name.
 */
export function choiceTriage(choice: Def): Map<string, Def> | null {
  if (choice.triage !== undefined) return choice.triage;
  let triage: Map<string, Def> | null = isNullable(choice) === 0 ? new Map() : null;
  for (const branch of choice.content) {
    const tops = topDefs(branch);
    if (!tops.length) triage = null;
    for (const t of tops) {
      const key = triageKey(t);
      if (!triage || triage.has(key)) triage = null;
      else triage.set(key, branch);
    }
  }
  choice.triage = triage;
  return triage;
}

/** xmlRelaxNGComputeInterleaves. */
export function partitionOf(il: Def): Partition {
  if (il.partition) return il.partition;
  const groups = il.content.map((rule) => ({ rule, defs: topDefs(rule) }));
  let triage: Map<string, number> | undefined = new Map();
  groups.forEach((g, i) => {
    if (!g.defs.length) triage = undefined;
    for (const t of g.defs) {
      const key = triageKey(t);
      if (!triage || triage.has(key)) triage = undefined;
      else triage.set(key, i);
    }
  });
  il.partition = { groups, triage, mixed: il.content.some((c) => c.type === "text") };
  return il.partition;
}

/**
 * Loads a schema as libxml2's xmlRelaxNGParse does: parse, simplify, and compile the content
 * of the elements it can compile. `grammars` holds the JSON copies of the files its nested
 * grammars include, by href.
 */
export function loadRelaxNG(json: RngJson, grammars: Record<string, RngJson> = {}): RelaxNG {
  const parser = new Parser(json, grammars);
  const content = parser.patterns(json.start, true, "");
  simplify(content, undefined, new Set());
  const start = def("start", { content });
  compileElements(start);
  return { start };
}
