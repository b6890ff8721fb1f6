/**
 * Random documents from a RELAX NG grammar: every element, attribute and value the schema
 * allows can come out, weighted towards realistic documents. Each document draws a "richness"
 * (how many optional parts it takes), optional parts thin out with depth, a few values people
 * actually write ({@link HINTS}) are preferred, and past a depth or size budget the generator
 * takes the smallest way to complete the document.
 *
 * @example
 * ```ts
 * import { generateDocument } from "./generate.ts";
 * import { loadGrammar } from "./rng_grammar.ts";
 * import { Random } from "./random.ts";
 * const g = loadGrammar("tests/fixtures/schemas/secret.rng");
 * const root = generateDocument(g, new Random("1:secret:0"));
 * console.log(root.name); // "secret"
 * ```
 * @module
 */
import type { XmlElement, XmlNode } from "../../../util/xml/mod.ts";
import { deref, type Grammar, type Pattern } from "./rng_grammar.ts";
import type { Random } from "./random.ts";
import type { Reach } from "./reach.ts";
import { sampleRegex } from "./regex_sample.ts";

/** Deeper than this, or with more elements than {@link MAX_ELEMENTS}, complete minimally. */
const MAX_DEPTH = 9;
const MAX_ELEMENTS = 250;
/** How much deeper than {@link MAX_DEPTH} the generator still goes to reach a target name. */
const TARGET_DEPTH = MAX_DEPTH + 4;
/** Most repetitions of one part the targets can ask for. */
const MAX_REPEAT = 8;

/** Elements and attributes realistic documents usually have, with how often they have them. */
const USUAL: Record<string, number> = {
  "name": 0.95,
  "uuid": 0.6,
  "memory": 0.97,
  "currentMemory": 0.7,
  "vcpu": 0.8,
  "os": 0.9,
  "type": 0.9,
  "devices": 0.9,
  "source": 0.85,
  "target": 0.85,
  "forward": 0.6,
  "bridge": 0.7,
  "ip": 0.6,
  "capacity": 0.95,
  "path": 0.8,
  "format": 0.7,
  "usage": 0.8,
  "ip@address": 0.95,
  "ip@prefix": 0.7,
  "virtualport@type": 0.9,
  "disk@device": 0.8,
  "target@dev": 0.95,
  "target@bus": 0.6,
  "source@file": 0.8,
  "interface@type": 0.95,
  "interface@name": 0.95,
  "ip@family": 0.1,
};

/** Choices of a named define, weighted by position (the usual alternative most often). */
const PREFER: Record<string, number[]> = {
  // osxen, oshvm, osexe
  os: [1, 8, 1],
};

/**
 * Sections that make most documents fail one of libvirt's cross-checks (vCPU ids, NUMA, security
 * labels): rare, so that most documents are accepted and their formatting compared.
 */
const RARE = new Set([
  "vcpus",
  "numatune",
  "numa",
  "cputune",
  "seclabel",
  "idmap",
  "launchSecurity",
  "maxMemory",
  "bandwidth",
  "iothreadids",
  "memtune",
  "resource",
]);

type Hint = (r: Random) => string;
const cpuset = (r: Random) => r.pick(["0", "1", "0-1", "0,2", "0-3", "1-2,^2"]);
const sizes = (r: Random) => String(r.pick([65536, 131072, 524288, 1048576, 2097152, 4194304]));

/** Values people write, by `element` (text) or `element@attribute`; the schema decides else. */
const HINTS: Record<string, [Hint, number]> = {
  "domain@type": [(r) => r.weighted([["test", 6], ["qemu", 3], ["kvm", 3]]), 0.9],
  "memory": [sizes, 0.95],
  "currentMemory": [sizes, 0.9],
  "vcpu": [(r) => String(r.int(2, 8)), 0.8],
  "capacity": [(r) => String(r.pick([0, 1048576, 10737418240])), 0.7],
  "allocation": [(r) => String(r.pick([0, 1048576])), 0.7],
  "vcpu@cpuset": [cpuset, 0.9],
  "vcpu@current": [(r) => String(r.int(1, 2)), 0.9],
  "vcpupin@cpuset": [cpuset, 0.9],
  "emulatorpin@cpuset": [cpuset, 0.9],
  "iothreadpin@cpuset": [cpuset, 0.9],
  "memory@nodeset": [cpuset, 0.9],
  "memnode@nodeset": [cpuset, 0.9],
  "cell@cpus": [cpuset, 0.9],
};

/**
 * What a directed run does differently, beyond its targets: it avoids the combinations libvirt's
 * cross-checks refused most often in the first directed corpus (seed cov-1: a `migratable` CPU
 * of a mode without it, a CPU vendor or features without a model, `<os><type>exe</type>` without `<init>`, a loader or NVRAM without a path),
 * and gives element values their hints also where the schema types them (a `<memory>` of 0 KiB
 * was refused), so that more of its documents are accepted and formatted, and the names they
 * reach are compared beyond the first error. Keys are `name`, `element@attribute` or
 * `parent/name`. (The recorded corpora predate it: undirected documents are made as they were.)
 */
const DIRECTED_USUAL: Record<string, number> = {
  "cpu@migratable": 0.02,
  // A vendor, features or a check without a model.
  "cpu/model": 0.9,
  init: 0.95,
  nvram: 0.05,
  loader: 0.05,
};

/** The parts an element's content accumulates while its pattern is walked. */
interface Builder {
  attrs: Record<string, string>;
  children: XmlNode[];
}

function word(r: Random): string {
  return sampleRegex("[a-z][a-z0-9]{2,7}", r);
}

const INT_TYPES: Record<string, [number, number]> = {
  unsignedInt: [0, 4294967295],
  unsignedLong: [0, Number.MAX_SAFE_INTEGER],
  unsignedShort: [0, 65535],
  positiveInteger: [1, Number.MAX_SAFE_INTEGER],
  int: [-2147483648, 2147483647],
  integer: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  long: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  short: [-32768, 32767],
};

function number(type: string, params: Record<string, string>, r: Random): string {
  let [lo, hi] = INT_TYPES[type];
  if (params.minInclusive !== undefined) lo = Math.max(lo, Number(params.minInclusive));
  if (params.maxInclusive !== undefined) hi = Math.min(hi, Number(params.maxInclusive));
  const usual = [0, 1, 1, 2, 2, 3, 4, 8, 16, 1024].filter((n) => n >= lo && n <= hi);
  if (usual.length && r.chance(0.9)) return String(r.pick(usual));
  return String(r.int(Math.max(lo, -1000), Math.min(hi, 1_000_000)));
}

/** A value of an XML Schema datatype with its facets. */
function datum(p: Extract<Pattern, { t: "data" }>, r: Random): string {
  if (p.type in INT_TYPES) return number(p.type, p.params, r);
  switch (p.type) {
    case "dateTime":
      return `20${r.int(10, 29)}-0${r.int(1, 9)}-1${r.int(0, 9)}T0${r.int(0, 9)}:1${
        r.int(0, 9)
      }:00`;
    case "double":
      return `${r.int(0, 99)}.${r.int(0, 9)}`;
    case "anyURI":
      return `http://example.org/${word(r)}`;
    case "NCName":
      return word(r);
  }
  let s = p.params.pattern !== undefined ? sampleRegex(p.params.pattern, r) : word(r);
  if (p.params.maxLength !== undefined) s = s.slice(0, Number(p.params.maxLength));
  return s;
}

/** Smallest number of elements that completes a pattern, for the budget-exceeded mode. */
class Cost {
  #memo = new Map<Pattern, number>();
  #busy = new Set<Pattern>();

  of(p: Pattern): number {
    const known = this.#memo.get(p);
    if (known !== undefined) return known;
    if (this.#busy.has(p)) return Infinity;
    this.#busy.add(p);
    const c = this.#compute(p);
    this.#busy.delete(p);
    if (c !== Infinity || !this.#busy.size) this.#memo.set(p, c);
    return c;
  }

  #compute(p: Pattern): number {
    switch (p.t) {
      case "element":
        return 1 + this.of(p.body);
      case "attribute":
      case "list":
      case "oneOrMore":
        return this.of(p.body);
      case "group":
      case "interleave":
        return p.items.reduce((s, x) => s + this.of(x), 0);
      case "choice":
        return Math.min(...p.items.map((x) => this.of(x)));
      case "ref":
        return this.of(deref(p));
      case "notAllowed":
        return Infinity;
      default:
        return 0;
    }
  }
}

/**
 * Names a document should contain (`element`, `element@attribute`), and the grammar's
 * reachability to steer towards them: the coverage-directed mode.
 */
export interface Targets {
  names: Iterable<string>;
  reach: Reach;
  /** Take no optional part but those towards the targets and the usual ones. */
  focused?: boolean;
}

/**
 * Generates one document from a grammar's start pattern. With `targets`, the optional parts,
 * repetitions and choices that can lead to a target name not produced yet are taken (even past
 * the budgets, a little), everything else is drawn as usual.
 */
export function generateDocument(g: Grammar, r: Random, targets?: Targets): XmlElement {
  return new Generator(r, targets).root(g);
}

class Generator {
  #r: Random;
  #richness: number;
  #cost = new Cost();
  #elements = 0;
  #depth = 0;
  /** Name of the element being built, for hints and the `USUAL` list. */
  #path: string[] = [];
  #nsCount = 0;
  /** Whether an attribute's value is being drawn (element hints are not for it). */
  #inAttribute = false;
  /** Target names not produced yet. */
  #pending: Set<string>;
  #reach?: Reach;

  constructor(r: Random, targets?: Targets) {
    this.#r = r;
    this.#richness = r.pick([0.08, 0.15, 0.25, 0.4]);
    if (targets?.focused) this.#richness = 0;
    this.#pending = new Set(targets?.names ?? []);
    this.#reach = targets?.reach;
  }

  root(g: Grammar): XmlElement {
    const b: Builder = { attrs: {}, children: [] };
    this.#walk(g.start, b);
    const root = b.children.find((c): c is XmlElement => c.type === "element");
    if (!root) throw new Error("the start pattern made no element");
    return root;
  }

  get #minimal(): boolean {
    return this.#depth > MAX_DEPTH || this.#elements > MAX_ELEMENTS;
  }

  /** Whether `p` can produce `target` (any pending target name), still worth the detour. */
  #steers(p: Pattern, target?: string): boolean {
    const reach = this.#reach;
    if (!reach || this.#depth > TARGET_DEPTH || this.#cost.of(p) === Infinity) return false;
    const element = this.#path.at(-1) ?? "";
    if (target !== undefined) return reach.leadsTo(p, element, target);
    for (const t of this.#pending) if (reach.leadsTo(p, element, t)) return true;
    return false;
  }

  /** Probability of taking an optional part here. */
  #take(p: Pattern): number {
    if (this.#steers(p)) return 1;
    if (this.#minimal || this.#cost.of(p) === Infinity) return 0;
    const name = leadName(p);
    // Attributes lead with "@", and are looked up with their element's name.
    const key = name && (name.startsWith("@") ? this.#path.at(-1) + name : name);
    const directed = this.#reach && name &&
      (DIRECTED_USUAL[`${this.#path.at(-1)}/${name}`] || DIRECTED_USUAL[key!]);
    const usual = key && (directed || USUAL[key]);
    if (usual) return usual;
    if (name && RARE.has(name)) return 0.04;
    if (p.t === "attribute" || leadsToAttribute(p)) return Math.min(0.9, this.#richness + 0.15);
    return Math.max(0.03, this.#richness * Math.pow(0.7, Math.max(0, this.#depth - 1)));
  }

  #walk(p: Pattern, b: Builder): void {
    const r = this.#r;
    switch (p.t) {
      case "element":
        return this.#element(p, b);
      case "attribute": {
        const name = "name" in p.name ? p.name.name : `x${word(r)}`;
        if (name in b.attrs) return;
        this.#pending.delete(`${this.#path.at(-1)}@${name}`);
        const v: Builder = { attrs: {}, children: [] };
        const hint = HINTS[`${this.#path.at(-1)}@${name}`];
        if (hint && r.chance(hint[1])) b.attrs[name] = hint[0](r);
        else {
          this.#inAttribute = true;
          this.#walk(p.body, v);
          this.#inAttribute = false;
          b.attrs[name] = v.children.map((c) => (c.type === "text" ? c.text : "")).join("");
        }
        return;
      }
      case "group":
        for (const x of p.items) this.#walk(x, b);
        return;
      case "interleave":
        // Mostly in schema order (what people write), sometimes shuffled: libvirt must not care.
        for (const x of r.chance(0.2) ? r.shuffle(p.items) : p.items) this.#walk(x, b);
        return;
      case "choice":
        return this.#walk(this.#choose(p.items), b);
      case "optional":
        if (r.chance(this.#take(p.body))) this.#walk(p.body, b);
        return;
      case "zeroOrMore":
      case "oneOrMore": {
        let n = p.t === "oneOrMore" || this.#steers(p.body) ? 1 : 0;
        const more = this.#take(p.body) * (this.#depth <= 2 ? 1.2 : 0.8);
        while (n < 6 && r.chance(n ? more * 0.7 : more)) n++;
        // Repeated while the repetitions still lead to targets: each may take only one.
        for (let i = 0; i < n || (i < MAX_REPEAT && this.#steers(p.body)); i++) {
          this.#walk(p.body, b);
        }
        return;
      }
      case "list": {
        const v: Builder = { attrs: {}, children: [] };
        this.#walk(p.body, v);
        return this.#text(b, v.children.map((c) => (c.type === "text" ? c.text : "")).join(" "));
      }
      case "ref": {
        const d = deref(p);
        const weights = PREFER[p.name];
        if (weights && d.t === "choice" && !this.#minimal && !this.#steers(d)) {
          return this.#walk(r.weighted(d.items.map((x, i) => [x, weights[i]] as const)), b);
        }
        return this.#walk(d, b);
      }
      case "value":
        return this.#text(b, p.value);
      case "data": {
        const hint = this.#reach && !this.#inAttribute && HINTS[this.#path.at(-1) ?? ""];
        return this.#text(b, hint && r.chance(hint[1]) ? hint[0](r) : datum(p, r));
      }
      case "text": {
        const hint = HINTS[this.#path.at(-1) ?? ""];
        return this.#text(b, hint && r.chance(hint[1]) ? hint[0](r) : word(r));
      }
      case "empty":
        return;
      case "notAllowed":
        throw new Error("notAllowed reached");
    }
  }

  #choose(items: Pattern[]): Pattern {
    // Targets are pursued in their order: the first that some item leads to decides.
    for (const t of this.#pending) {
      const towards = items.filter((x) => this.#steers(x, t));
      if (towards.length) return this.#r.pick(towards);
    }
    const ok = items.filter((x) => this.#cost.of(x) < Infinity);
    if (!this.#minimal) return this.#r.pick(ok);
    const best = Math.min(...ok.map((x) => this.#cost.of(x)));
    return this.#r.pick(ok.filter((x) => this.#cost.of(x) === best));
  }

  #text(b: Builder, s: string): void {
    const last = b.children.at(-1);
    if (last?.type === "text") last.text += s;
    else b.children.push({ type: "text", text: s });
  }

  #element(p: Extract<Pattern, { t: "element" }>, b: Builder): void {
    const inner: Builder = { attrs: {}, children: [] };
    let name: string;
    if ("name" in p.name) name = p.name.name;
    else {
      // Foreign elements (metadata) need a namespace of their own.
      const prefix = `ns${this.#nsCount++}`;
      name = `${prefix}:${word(this.#r)}`;
      inner.attrs[`xmlns:${prefix}`] = `http://example.org/${prefix}`;
    }
    this.#pending.delete(name);
    this.#elements++;
    this.#depth++;
    this.#path.push(name);
    this.#walk(p.body, inner);
    this.#path.pop();
    this.#depth--;
    b.children.push({ type: "element", name, attributes: inner.attrs, children: inner.children });
  }
}

/** The element (`name`) or attribute (`@name`) a pattern starts with, if it is one fixed name. */
function leadName(p: Pattern): string | undefined {
  let q = p;
  for (let i = 0; i < 4 && q.t === "ref"; i++) q = deref(q);
  if (q.t === "element" && "name" in q.name) return q.name.name;
  if (q.t === "attribute" && "name" in q.name) return "@" + q.name.name;
  return undefined;
}

function leadsToAttribute(p: Pattern): boolean {
  let q = p;
  for (let i = 0; i < 4 && q.t === "ref"; i++) q = deref(q);
  if (q.t === "group") return q.items.every((x) => x.t === "attribute");
  return q.t === "attribute";
}
