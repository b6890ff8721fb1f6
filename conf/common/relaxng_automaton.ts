/**
 * The element content libxml2 compiles into an automaton (xmlRelaxNGTryCompile): content made
 * only of elements, text and their groupings, without attributes, data or interleaves. Such
 * content is matched by child element names alone, each child being validated against the
 * definition of the first transition its name takes — even where a later one would have
 * fitted (libvirt's `<devnode type='link'>` without a `<devnode type='dev'>` before it is
 * refused by libvirt 9.0 for that reason), and a child no transition takes ends the content
 * with "Did not expect element X there".
 *
 * @example
 * ```ts
 * import { compileElements } from "./relaxng_automaton.ts";
 * import type { Def } from "./relaxng_schema.ts";
 * const text: Def = { type: "text", params: [], content: [], attrs: [] };
 * const el: Def = { type: "element", name: "a", params: [], content: [text], attrs: [] };
 * compileElements({ type: "start", params: [], content: [el], attrs: [] });
 * el.automaton !== undefined; // true
 * ```
 * @module
 */
import type { Def } from "./relaxng_schema.ts";

interface Transition {
  name: string;
  def?: Def;
  to: number;
}

interface State {
  trans: Transition[];
  eps: number[];
  final: boolean;
}

/** A compiled content model: state 0 is the initial one. */
export class Automaton {
  readonly states: State[] = [{ trans: [], eps: [], final: false }];
  #ordered = new Map<number, { trans: Transition[]; final: boolean }>();

  add(): number {
    return this.states.push({ trans: [], eps: [], final: false }) - 1;
  }

  /**
   * A state's transitions once libxml2 has removed the epsilon ones: its own first, then
   * those of the states it reaches by epsilon, in the order the epsilons were made.
   */
  closure(s: number): { trans: Transition[]; final: boolean } {
    let c = this.#ordered.get(s);
    if (c) return c;
    const trans: Transition[] = [];
    let final = false;
    const seen = new Set<number>();
    const visit = (n: number) => {
      if (seen.has(n)) return;
      seen.add(n);
      final ||= this.states[n].final;
      trans.push(...this.states[n].trans);
      this.states[n].eps.forEach(visit);
    };
    visit(s);
    c = { trans, final };
    this.#ordered.set(s, c);
    return c;
  }
}

/** A run of an automaton over child names (xmlRegExecCtxt in push mode). */
export class AutomatonRun {
  #state = 0;
  #failed = false;

  constructor(private readonly automaton: Automaton) {}

  /**
   * Feeds one child name: -1 when no transition takes it (the run is then over), else 0;
   * `onElement` gets the definition of the transition taken.
   */
  push(name: string, onElement: (d: Def) => void): -1 | 0 {
    if (this.#failed) return -1;
    const t = this.automaton.closure(this.#state).trans.find((x) => x.name === name);
    if (!t) {
      this.#failed = true;
      return -1;
    }
    this.#state = t.to;
    if (t.def) onElement(t.def);
    return 0;
  }

  /** The end of the content: 1 in a final state, 0 if content is missing, -1 after a failure. */
  end(): -1 | 0 | 1 {
    if (this.#failed) return -1;
    return this.automaton.closure(this.#state).final ? 1 : 0;
  }
}

/** xmlRelaxNGIsCompileable and xmlRelaxNGCompile, with their per-definition marks. */
class Compiler {
  #compilable = new Map<Def, boolean>();
  #refSeen = new Set<Def>();
  #compiled = new Set<Def>();
  #am?: Automaton;
  #state = 0;

  isCompilable(d: Def): 1 | 0 | -1 {
    if (d.type !== "element" && this.#compilable.has(d)) return this.#compilable.get(d) ? 1 : 0;
    let ret: 1 | 0 | -1 = -1;
    switch (d.type) {
      case "noop":
        ret = this.isCompilable(d.content[0]);
        break;
      case "text":
      case "empty":
        ret = 1;
        break;
      case "element":
        if (!this.#compilable.has(d)) {
          let r: 1 | 0 | -1 = -1;
          for (const c of d.content) if ((r = this.isCompilable(c)) !== 1) break;
          if (r !== -1) this.#compilable.set(d, r === 1);
        }
        // Every named element is a compilable transition, whatever its own content; an
        // <anyName/> is none.
        return d.name === undefined ? 0 : 1;
      case "ref":
        if (this.#refSeen.has(d)) return 1;
        this.#refSeen.add(d);
        for (const c of d.content) if ((ret = this.isCompilable(c)) !== 1) break;
        break;
      case "start":
      case "optional":
      case "zeroOrMore":
      case "oneOrMore":
      case "choice":
      case "group":
      case "def":
        for (const c of d.content) if ((ret = this.isCompilable(c)) !== 1) break;
        break;
      default:
        ret = 0;
    }
    if (ret !== -1) this.#compilable.set(d, ret === 1);
    return ret;
  }

  /** xmlRelaxNGTryCompile. */
  tryCompile(d: Def): void {
    if (d.type === "start" || d.type === "element") {
      this.isCompilable(d);
      if (this.#compilable.get(d) && !this.#compiled.has(d)) {
        this.#am = undefined;
        this.compile(d);
        return;
      }
    }
    switch (d.type) {
      case "noop":
        this.tryCompile(d.content[0]);
        break;
      case "optional":
      case "zeroOrMore":
      case "oneOrMore":
      case "choice":
      case "group":
      case "def":
      case "start":
      case "ref":
        d.content.forEach((c) => this.tryCompile(c));
        break;
    }
  }

  /** The content of `d` in its own automaton (the start's is built but not kept: unused). */
  #own(d: Def): void {
    const [am, state] = [this.#am, this.#state];
    this.#compiled.add(d);
    this.#am = new Automaton();
    this.#state = 0;
    d.content.forEach((c) => this.compile(c));
    this.#am.states[this.#state].final = true;
    if (d.type === "element") d.automaton = this.#am;
    [this.#am, this.#state] = [am, state];
  }

  #eps(from: number, to?: number): number {
    const target = to ?? this.#am!.add();
    this.#am!.states[from].eps.push(target);
    return target;
  }

  /** xmlRelaxNGCompile. */
  compile(d: Def | undefined): void {
    if (!d) return;
    switch (d.type) {
      case "start":
        if (this.isCompilable(d) === 1 && !this.#compiled.has(d)) this.#own(d);
        break;
      case "element":
        if (this.#am && d.name !== undefined) {
          const to = this.#am.add();
          // libxml2's transition takes the name and, when there is one, the namespace.
          const name = d.ns ? `${d.name}|${d.ns}` : d.name;
          this.#am.states[this.#state].trans.push({ name, def: d, to });
          this.#state = to;
        }
        if (this.#compilable.get(d) && !this.#compiled.has(d)) this.#own(d);
        else {
          const am = this.#am;
          this.tryCompile(d);
          this.#am = am;
        }
        break;
      case "noop":
        this.compile(d.content[0]);
        break;
      case "optional": {
        const old = this.#state;
        // libxml2 compiles only the first pattern of an <optional>.
        this.compile(d.content[0]);
        this.#eps(old, this.#state);
        break;
      }
      case "zeroOrMore": {
        this.#state = this.#eps(this.#state);
        const old = this.#state;
        d.content.forEach((c) => this.compile(c));
        this.#eps(this.#state, old);
        this.#state = this.#eps(old);
        break;
      }
      case "oneOrMore": {
        d.content.forEach((c) => this.compile(c));
        const old = this.#state;
        d.content.forEach((c) => this.compile(c));
        this.#eps(this.#state, old);
        this.#state = this.#eps(old);
        break;
      }
      case "choice": {
        const old = this.#state;
        let target: number | undefined;
        for (const c of d.content) {
          this.#state = old;
          this.compile(c);
          if (target === undefined) target = this.#state;
          else this.#eps(this.#state, target);
        }
        this.#state = target ?? old;
        break;
      }
      case "ref":
      case "group":
      case "def":
        d.content.forEach((c) => this.compile(c));
        break;
      case "text": {
        this.#state = this.#eps(this.#state);
        const old = this.#state;
        this.#am!.states[this.#state].trans.push({ name: "#text", to: this.#state });
        this.#state = this.#eps(old);
        break;
      }
      case "empty":
        this.#state = this.#eps(this.#state);
        break;
    }
  }
}

/** Gives every element libxml2 would compile its {@link Automaton} (`start` is the schema's). */
export function compileElements(start: Def): void {
  new Compiler().tryCompile(start);
}
