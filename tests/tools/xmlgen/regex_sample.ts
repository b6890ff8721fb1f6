/**
 * Random strings matching an XML Schema regular expression (the `pattern` facets of libvirt's
 * schemas): literals, escapes (`\d \s \w \n` and escaped punctuation), `.`, character classes
 * with ranges and negation, groups, alternation and the quantifiers `? * + {n} {n,} {n,m}`.
 * Unbounded repetition is kept short, and characters are drawn from the readable part of a class.
 *
 * @example
 * ```ts
 * import { sampleRegex } from "./regex_sample.ts";
 * import { Random } from "./random.ts";
 * sampleRegex("[0-9]{1,3}\\.[0-9]", new Random("s")); // e.g. "42.7"
 * ```
 * @module
 */
import type { Random } from "./random.ts";

type Node =
  | { t: "alt"; items: Node[][] }
  | { t: "chars"; set: string }
  | { t: "rep"; node: Node; min: number; max: number };

/** Printable ASCII (a negated class or `.` picks from it). */
const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join("");
const READABLE = "abcdefghijklmnopqrstuvwxyz0123456789";
const ESCAPES: Record<string, string> = {
  d: "0123456789",
  s: " ",
  w: READABLE,
  n: "\n",
  t: "\t",
};

class Parser {
  #src: string;
  #i = 0;

  constructor(src: string) {
    this.#src = src;
  }

  parse(): Node {
    const n = this.#alt();
    if (this.#i < this.#src.length) throw new Error(`regex: unexpected ')' in ${this.#src}`);
    return n;
  }

  #alt(): Node {
    const items: Node[][] = [this.#seq()];
    while (this.#src[this.#i] === "|") {
      this.#i++;
      items.push(this.#seq());
    }
    return { t: "alt", items };
  }

  #seq(): Node[] {
    const out: Node[] = [];
    while (this.#i < this.#src.length && !"|)".includes(this.#src[this.#i])) {
      out.push(this.#quantified(this.#atom()));
    }
    return out;
  }

  #atom(): Node {
    const c = this.#src[this.#i++];
    if (c === "(") {
      const n = this.#alt();
      this.#i++; // ')'
      return n;
    }
    if (c === "[") return this.#class();
    if (c === ".") return { t: "chars", set: READABLE };
    if (c === "\\") return { t: "chars", set: this.#escape() };
    return { t: "chars", set: c };
  }

  #escape(): string {
    const e = this.#src[this.#i++];
    return ESCAPES[e] ?? e;
  }

  #class(): Node {
    const negate = this.#src[this.#i] === "^";
    if (negate) this.#i++;
    let set = "";
    let first = true;
    while (first || this.#src[this.#i] !== "]") {
      first = false;
      let c = this.#src[this.#i++];
      if (c === "\\") c = this.#escape();
      if (this.#src[this.#i] === "-" && this.#src[this.#i + 1] !== "]" && c.length === 1) {
        this.#i++;
        let hi = this.#src[this.#i++];
        if (hi === "\\") hi = this.#escape();
        for (let x = c.charCodeAt(0); x <= hi.charCodeAt(0); x++) set += String.fromCharCode(x);
      } else set += c;
    }
    this.#i++; // ']'
    if (negate) set = [...PRINTABLE].filter((ch) => !set.includes(ch)).join("");
    return { t: "chars", set };
  }

  #quantified(node: Node): Node {
    const q = this.#src[this.#i];
    if (q === "?") return this.#i++, { t: "rep", node, min: 0, max: 1 };
    if (q === "*") return this.#i++, { t: "rep", node, min: 0, max: 3 };
    if (q === "+") return this.#i++, { t: "rep", node, min: 1, max: 4 };
    if (q === "{") {
      const end = this.#src.indexOf("}", this.#i);
      const [lo, hi] = this.#src.slice(this.#i + 1, end).split(",");
      this.#i = end + 1;
      const min = Number(lo);
      const max = hi === undefined ? min : hi === "" ? min + 3 : Number(hi);
      return { t: "rep", node, min, max };
    }
    return node;
  }
}

/** Prefers readable characters of a class, so values look like the ones people write. */
function pickChar(set: string, r: Random): string {
  const nice = [...set].filter((c) => READABLE.includes(c.toLowerCase()));
  return r.pick(nice.length && r.chance(0.9) ? nice : [...set]);
}

function emit(n: Node, r: Random): string {
  switch (n.t) {
    case "alt":
      return r.pick(n.items).map((x) => emit(x, r)).join("");
    case "chars":
      return pickChar(n.set, r);
    case "rep": {
      // Long repetitions ({1,124}, {0,255}) stay short unless the minimum says otherwise.
      const max = Math.min(n.max, Math.max(n.min, 8));
      let s = "";
      for (let k = r.int(n.min, max); k > 0; k--) s += emit(n.node, r);
      return s;
    }
  }
}

const cache = new Map<string, Node>();

/** A random string matching `pattern` (an XSD regex, implicitly anchored). */
export function sampleRegex(pattern: string, r: Random): string {
  let node = cache.get(pattern);
  if (!node) cache.set(pattern, node = new Parser(pattern).parse());
  return emit(node, r);
}
