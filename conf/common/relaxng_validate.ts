/**
 * RELAX NG validation as libxml2 2.9 runs it (xmlRelaxNGValidateDoc), so that a refusal reads
 * line for line as libvirt 9.0's: the same walk over the schema (sets of states through
 * choices and repetitions, interleaves split into their branches, compiled content matched by
 * name), and the same error stack — errors inside a branch that may still fail are kept, and
 * shown (at most five, duplicates once) only if the branch does fail; elsewhere they are shown
 * as they happen.
 *
 * @example
 * ```ts
 * import { relaxNGErrors } from "./relaxng_validate.ts";
 * import { loadRelaxNG } from "./relaxng_schema.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * const schema = loadRelaxNG({
 *   source: "demo",
 *   start: [{ e: "element", a: { name: "demo" }, c: [{ e: "text" }] }],
 *   defines: {},
 * });
 * relaxNGErrors(parse("<demo><x/></demo>"), schema); // ["Did not expect element x there"]
 * relaxNGErrors(parse("<demo>text</demo>"), schema); // undefined
 * ```
 * @module
 */
import type { XmlElement, XmlNode } from "../../util/xml/mod.ts";
import { AutomatonRun } from "./relaxng_automaton.ts";
import {
  choiceTriage,
  type Def,
  partitionOf,
  type RelaxNG,
  triageLookup,
} from "./relaxng_schema.ts";
import { xsdFacet, xsdType } from "./xsd_datatypes.ts";

const IGNORABLE = 1;
const MIXED = 4;
const MAX_ERROR = 5;

/** xmlRelaxNGGetErrorString, by libxml2's error name. */
const MESSAGES = {
  TYPE: (a: string) => `failed to validate type ${a}`,
  TYPEVAL: (a: string, b: string) => `Type ${a} doesn't allow value '${b}'`,
  INTERNAL: (a: string) => `Internal error: ${a}`,
  NOSTATE: () => "Internal error: no state",
  INTERSEQ: () => "Invalid sequence in interleave",
  INTEREXTRA: (a: string) => `Extra element ${a} in interleave`,
  ELEMNAME: (a: string, b: string) => `Expecting element ${a}, got ${b}`,
  ELEMWRONG: (a: string) => `Did not expect element ${a} there`,
  TEXTWRONG: (a: string) => `Did not expect text in element ${a} content`,
  ELEMEXTRANS: (a: string) => `Expecting no namespace for element ${a}`,
  ELEMNONS: (a: string) => `Expecting a namespace for element ${a}`,
  ELEMWRONGNS: (a: string, b: string) => `Element ${a} has wrong namespace: expecting ${b}`,
  NOELEM: (a: string) => `Expecting an element ${a}, got nothing`,
  NOTELEM: () => "Expecting an element got text",
  ATTRVALID: (a: string) => `Element ${a} failed to validate attributes`,
  CONTENTVALID: (a: string) => `Element ${a} failed to validate content`,
  EXTRACONTENT: (a: string, b: string) => `Element ${a} has extra content: ${b}`,
  INVALIDATTR: (a: string, b: string) => `Invalid attribute ${a} for element ${b}`,
  DATAELEM: (a: string) => `Datatype element ${a} has child elements`,
  VALELEM: (a: string) => `Value element ${a} has child elements`,
  DATATYPE: (a: string) => `Error validating datatype ${a}`,
  VALUE: (a: string) => `Error validating value ${a}`,
  EXTRADATA: () => "Extra data in the document",
} as const;

type ErrName = keyof typeof MESSAGES;

interface ValidError {
  err: ErrName;
  node: XmlElement | null;
  arg1: string;
  arg2: string;
}

interface Attr {
  name: string;
  value: string;
  /** A prefixed attribute: libxml2 gives it a namespace, which no libvirt definition has. */
  ns: boolean;
}

/** A validation state (xmlRelaxNGValidState): the element, the children left, the attributes. */
interface VState {
  node: XmlElement | null;
  parent: XmlElement | null;
  /** The sibling chain being walked (an interleave walks each branch's own chain). */
  nodes: XmlNode[];
  /** Index in `nodes` of the next child; `nodes.length` is libxml2's NULL. */
  seq: number;
  attrs: (Attr | null)[];
  left: number;
  value: string | null;
}

/** A node's name as libxml2 has it (local name; `text` for character data). */
function nodeName(n: XmlNode): string {
  if (n.type !== "element") return n.type === "comment" ? "comment" : "text";
  return n.name.slice(n.name.indexOf(":") + 1);
}

const isBlank = (s: string) => /^[ \t\n\r]*$/.test(s);

const XML_NS = "http://www.w3.org/XML/1998/namespace";

/**
 * Every element's namespace (null for none) from the `xmlns` declarations in scope, as libxml2's
 * node->ns->href; an undeclared prefix leaves the element without one, as libxml2 does.
 */
function namespaces(root: XmlElement): WeakMap<XmlElement, string | null> {
  const out = new WeakMap<XmlElement, string | null>();
  const walk = (el: XmlElement, scope: Map<string, string>) => {
    let inner = scope;
    for (const [k, v] of Object.entries(el.attributes)) {
      if (k !== "xmlns" && !k.startsWith("xmlns:")) continue;
      if (inner === scope) inner = new Map(scope);
      inner.set(k.slice(6), v);
    }
    const colon = el.name.indexOf(":");
    const prefix = colon < 0 ? "" : el.name.slice(0, colon);
    out.set(el, (prefix === "xml" ? XML_NS : inner.get(prefix)) || null);
    for (const c of el.children) if (c.type === "element") walk(c, inner);
  };
  walk(root, new Map());
  return out;
}

function newState(node: XmlElement | null, root?: XmlElement): VState {
  const attrs = node
    ? Object.entries(node.attributes)
      .filter(([k]) => k !== "xmlns" && !k.startsWith("xmlns:"))
      .map(([k, v]) => ({ name: k.slice(k.indexOf(":") + 1), value: v, ns: k.includes(":") }))
    : [];
  return {
    node,
    parent: node,
    nodes: node ? node.children : [root!],
    seq: 0,
    attrs,
    left: attrs.length,
    value: null,
  };
}

const copyState = (s: VState): VState => ({ ...s, attrs: [...s.attrs] });

function sameState(a: VState, b: VState): boolean {
  return a === b || (a.node === b.node && a.nodes === b.nodes &&
    (a.seq === b.seq || (a.seq >= a.nodes.length && b.seq >= b.nodes.length)) &&
    a.left === b.left && a.value === b.value && a.attrs.every((x, i) => x === b.attrs[i]));
}

/** xmlRelaxNGAddStates: 1 when added, 0 when an equal state was there already. */
function addState(list: VState[], s: VState): 0 | 1 {
  if (list.some((x) => sameState(x, s))) return 0;
  list.push(s);
  return 1;
}

/** One document's validation (xmlRelaxNGValidCtxt). */
class Validation {
  flags = 0;
  state: VState | null = null;
  states: VState[] | null = null;
  /** The error stack's slots: libxml2 reuses them, and `errPtr` may point past `errNr`. */
  errTab: ValidError[] = [];
  errNr = 0;
  errPtr = -1;
  errMax = 8;
  failed = false;
  perr = 0;
  readonly lines: string[] = [];
  /** libxml2's node->psvi: the definition an element last validated against. */
  readonly psvi = new WeakMap<XmlElement, Def>();

  constructor(private readonly ns: WeakMap<XmlElement, string | null>) {}

  nsOf(el: XmlElement): string | null {
    return this.ns.get(el) ?? null;
  }

  /**
   * xmlRelaxNGElementMatch: whether `node` has the name and namespace of the element
   * definition `d`, with the error of the first check that fails (`log`).
   */
  elementMatch(d: Def, node: XmlElement, log: boolean): boolean {
    const fail = (err: ErrName, a = "", b = "") => {
      if (log) this.error(err, a, b);
      return false;
    };
    const name = nodeName(node);
    const ns = this.nsOf(node);
    if (d.name !== undefined && name !== d.name) return fail("ELEMNAME", d.name, name);
    if (d.ns) {
      if (!ns) return fail("ELEMNONS", name);
      if (ns !== d.ns) return fail("ELEMWRONGNS", name, d.ns);
    } else if (ns && d.name === undefined && d.ns !== undefined) return fail("ELEMEXTRANS", name);
    else if (ns && d.name !== undefined) return fail("ELEMEXTRANS", d.name);
    return true;
  }

  /** The name a child pushes into a compiled automaton: its name, and `|ns` in a namespace. */
  automatonKey(n: XmlElement): string {
    const ns = this.nsOf(n);
    return ns ? `${nodeName(n)}|${ns}` : nodeName(n);
  }

  /** The states a validation step left (read afresh: steps reassign them). */
  pending(): VState[] | null {
    return this.states;
  }

  get ignorable(): boolean {
    return (this.flags & IGNORABLE) !== 0;
  }

  #show(e: ValidError): void {
    this.failed = true;
    this.lines.push(MESSAGES[e.err](e.arg1, e.arg2));
  }

  /** xmlRelaxNGAddValidError: shown now, or stacked inside a branch that may still fail. */
  error(err: ErrName, arg1 = "", arg2 = ""): void {
    const node = this.state?.node ?? null;
    if (!this.ignorable) {
      if (this.errNr) this.dump();
      this.#show({ err, node, arg1, arg2 });
      return;
    }
    if (this.errNr >= this.errMax) {
      this.errMax *= 2;
      this.errPtr = this.errNr - 1;
    }
    // xmlRelaxNGValidErrorPush skips an error of the kind and element of the last one pushed.
    const last = this.errTab[this.errPtr];
    if (last && this.state && last.node === this.state.node && last.err === err) return;
    this.errTab[this.errNr] = { err, node, arg1, arg2 };
    this.errPtr = this.errNr++;
  }

  /** xmlRelaxNGValidErrorPop. */
  popError(): void {
    if (this.errNr <= 0) {
      this.errPtr = -1;
      return;
    }
    this.errNr--;
    this.errPtr = this.errNr - 1;
  }

  /** xmlRelaxNGDumpValidError: the stacked errors, duplicates once, at most five. */
  dump(): void {
    let shown = 0;
    const stack = this.errTab.slice(0, this.errNr);
    stack.forEach((e, i) => {
      if (shown >= MAX_ERROR) return;
      const dup = stack.slice(0, i).some((d) =>
        d.err === e.err && d.node === e.node && d.arg1 === e.arg1 && d.arg2 === e.arg2
      );
      if (dup) return;
      this.#show(e);
      shown++;
    });
    this.errNr = 0;
  }

  /** xmlRelaxNGPopErrors: back to `level` (the last-error pointer is kept unless none is left). */
  popErrors(level: number): void {
    if (this.errNr > level) this.errNr = level;
    if (this.errNr <= 0) this.errPtr = -1;
  }

  skipIgnored(nodes: XmlNode[], i: number): number {
    while (i < nodes.length) {
      const n = nodes[i];
      if (n.type === "comment") i++;
      else if (n.type !== "element" && ((this.flags & MIXED) || isBlank(n.text))) i++;
      else break;
    }
    return i;
  }

  /** xmlRelaxNGValidateDocument. */
  document(root: XmlElement, schema: RelaxNG): boolean {
    const state = newState(null, root);
    this.state = state;
    let ret = this.definition(schema.start);
    if (this.state && state.seq < state.nodes.length) {
      if (this.skipIgnored(state.nodes, state.seq) < state.nodes.length && ret !== -1) {
        this.error("EXTRADATA");
        ret = -1;
      }
    } else if (this.states) {
      const done = this.states.some((s) => this.skipIgnored(s.nodes, s.seq) >= s.nodes.length);
      if (!done && ret !== -1) {
        this.error("EXTRADATA");
        ret = -1;
      }
    }
    this.state = null;
    if (ret !== 0) this.dump();
    return ret === 0 && !this.failed;
  }

  /** xmlRelaxNGValidateDefinition: `d` from the current state, or from each of the states. */
  definition(d: Def): number {
    if (this.state && this.states) this.state = null;
    if (!this.states || this.states.length === 1) {
      if (this.states) [this.state, this.states] = [this.states[0], null];
      const ret = this.validateState(d);
      if (this.state && this.states) this.state = null;
      const after = this.pending();
      if (after?.length === 1) [this.state, this.states] = [after[0], null];
      return ret;
    }
    const states = this.states;
    this.states = null;
    let res: VState[] | null = null;
    let j = 0;
    const oldflags = this.flags;
    this.flags |= IGNORABLE;
    for (const s of [...states]) {
      this.state = s;
      this.states = null;
      const ret = this.validateState(d);
      if (this.state && this.states) this.state = null;
      if (ret === 0) {
        if (!this.states) {
          if (res) addState(res, this.state!);
          else states[j++] = this.state!;
          this.state = null;
        } else if (!res) {
          res = this.states;
          this.states = null;
          for (let k = 0; k < j; k++) addState(res, states[k]);
        } else {
          for (const x of this.pending()!) addState(res, x);
          this.states = null;
        }
      } else {
        this.state = null;
        this.states = null;
      }
    }
    this.flags = oldflags;
    let ret = 0;
    if (res) this.states = res;
    else if (j > 1) this.states = states.slice(0, j);
    else if (j === 1) this.state = states[0];
    else ret = -1;
    if (this.state && this.states) this.state = null;
    return ret;
  }

  /** xmlRelaxNGValidateDefinitionList: a sequence; an element failing with -2 goes on. */
  definitionList(list: Def[]): number {
    if (!list.length) {
      this.error("INTERNAL", "NULL definition list");
      return -1;
    }
    return this.sequence(list);
  }

  /**
   * The loop both list validators share: each definition in turn, while there is a state; one
   * failing with -2 lets the rest go on, -1 stops.
   */
  sequence(list: Def[]): number {
    let ret = 0;
    for (const d of list) {
      if (!this.state && !this.states) {
        this.error("NOSTATE");
        return -1;
      }
      const res = this.definition(d);
      if (res < 0) ret = -1;
      if (res === -1) break;
    }
    return ret;
  }

  /** xmlRelaxNGValidateState. */
  validateState(d: Def): number {
    const s = this.state;
    switch (d.type) {
      case "empty":
        return 0;
      case "notAllowed":
        return -1;
      case "text": {
        let i = s!.seq;
        while (i < s!.nodes.length && s!.nodes[i].type !== "element") i++;
        s!.seq = i;
        return 0;
      }
      case "element":
        return this.element(d);
      case "optional":
        return this.optional(d);
      case "oneOrMore": {
        const errNr = this.errNr;
        if (this.definitionList(d.content) !== 0) return -1;
        this.popErrors(errNr);
        return this.repeat(d);
      }
      case "zeroOrMore":
        return this.repeat(d);
      case "choice":
        return this.choice(d);
      case "def":
      case "group":
        return this.definitionList(d.content);
      case "interleave":
        return this.interleave(d);
      case "attribute":
        return this.attribute(d);
      case "start":
      case "noop":
      case "ref":
        return this.definition(d.content[0]);
      case "datatype":
      case "value":
        return this.text(d);
      default:
        return -1;
    }
  }

  /** The DATATYPE and VALUE cases: the text from here to the end of the element. */
  text(d: Def): number {
    const s = this.state!;
    let content = "";
    for (let i = s.seq; i < s.nodes.length; i++) {
      const n = s.nodes[i];
      if (n.type === "element") {
        this.error(
          d.type === "datatype" ? "DATAELEM" : "VALELEM",
          s.parent ? nodeName(s.parent) : "",
        );
        return -1;
      }
      if (n.type !== "comment") content += n.text;
    }
    let ret: number;
    if (d.type === "datatype") ret = this.datatype(content, d);
    else {
      const old = s.value;
      s.value = content;
      ret = this.value(d);
      s.value = old;
    }
    if (ret === -1) this.error(d.type === "datatype" ? "DATATYPE" : "VALUE", d.name ?? "");
    else if (ret === 0) s.seq = s.nodes.length;
    return ret;
  }

  element(d: Def): number {
    let errNr = this.errNr;
    const s = this.state!;
    const at = this.skipIgnored(s.nodes, s.seq);
    const node = s.nodes[at];
    if (!node || node.type !== "element") {
      if (node) this.error("NOTELEM");
      else this.error("NOELEM", d.name);
      if (!this.ignorable) this.dump();
      return -1;
    }
    // Errors about this node not matching another definition go once it matches this one.
    const popMatchErrors = () => {
      for (let e = this.errTab[this.errPtr]; e; e = this.errTab[this.errPtr]) {
        const match = (e.err === "ELEMNAME" && e.arg2 === nodeName(node)) ||
          (e.err === "ELEMEXTRANS" && e.arg1 === nodeName(node)) ||
          e.err === "NOELEM" || e.err === "NOTELEM";
        if (!match) break;
        this.popError();
      }
    };
    if (this.psvi.get(node) === d) {
      s.seq = this.skipIgnored(s.nodes, at + 1);
      this.popErrors(errNr);
      popMatchErrors();
      return 0;
    }
    if (!this.elementMatch(d, node, true)) {
      if (!this.ignorable) this.dump();
      return -1;
    }
    if (this.errNr) {
      this.popErrors(errNr);
      popMatchErrors();
    }
    errNr = this.errNr;
    let ret = 0;
    const oldflags = this.flags;
    this.flags &= ~MIXED;
    const oldstate = s;
    this.state = newState(node);
    if (d.attrs.length && this.attributeList(d.attrs) !== 0) {
      ret = -1;
      this.error("ATTRVALID", nodeName(node));
    }
    ret = d.automaton
      ? this.compiledElement(d, ret, node)
      : this.interpretedElement(d, ret, node, oldstate);
    if (ret === 0) this.psvi.set(node, d);
    this.flags = oldflags;
    this.state = oldstate;
    oldstate.seq = this.skipIgnored(oldstate.nodes, at + 1);
    if (ret !== 0) {
      if (this.ignorable) return -1;
      this.dump();
      return 0;
    }
    this.popErrors(errNr);
    return 0;
  }

  /** The states left after an element's content: one must be at its end. */
  #endStates(ret: number, oldflags: number): number {
    let tmp = -1;
    for (const st of this.states!) {
      this.state = st;
      if (this.elementEnd(false) === 0) {
        tmp = 0;
        break;
      }
    }
    if (tmp !== 0) {
      this.flags |= IGNORABLE;
      this.logBestError();
    }
    this.states = null;
    this.flags = oldflags;
    return ret === 0 && tmp === -1 ? -1 : ret;
  }

  compiledElement(d: Def, ret: number, node: XmlElement): number {
    const [tmpstate, tmpstates] = [this.state, this.states];
    const oldflags = this.flags;
    this.state = newState(node);
    this.states = null;
    const tmp = this.compiledContent(d);
    const nseq = this.state.seq;
    [this.state, this.states] = [tmpstate, tmpstates];
    if (tmp !== 0) ret = -1;
    if (this.states) {
      for (const st of this.states) st.seq = nseq;
      return this.#endStates(ret, oldflags);
    }
    this.state!.seq = nseq;
    return ret === 0 ? this.elementEnd(true) : ret;
  }

  interpretedElement(d: Def, ret: number, node: XmlElement, oldstate: VState): number {
    const oldflags = this.flags;
    if (d.content.length && this.definitionList(d.content) !== 0) {
      ret = -1;
      if (!this.state) {
        this.state = oldstate;
        this.error("CONTENTVALID", nodeName(node));
        this.state = null;
      } else this.error("CONTENTVALID", nodeName(node));
    }
    if (this.states) return this.#endStates(ret, oldflags);
    return ret === 0 ? this.elementEnd(true) : ret;
  }

  /** xmlRelaxNGValidateCompiledContent with its callback. */
  compiledContent(d: Def): number {
    const oldperr = this.perr;
    this.perr = 0;
    const run = new AutomatonRun(d.automaton!);
    const s = this.state!;
    const onElement = (child: Def) => {
      const r = this.definition(child);
      if (r !== 0) this.perr = r;
    };
    for (let i = s.seq; i < s.nodes.length; i++) {
      s.seq = i;
      const n = s.nodes[i];
      let r = 0;
      if (n.type === "element") {
        r = run.push(this.automatonKey(n), onElement);
        if (r < 0) this.error("ELEMWRONG", nodeName(n));
      } else if (n.type !== "comment" && !isBlank(n.text)) {
        r = run.push("#text", onElement);
        if (r < 0) this.error("TEXTWRONG", s.parent ? nodeName(s.parent) : "");
      }
      if (r < 0) break;
    }
    let ret: number = run.end();
    if (ret === 1) {
      ret = 0;
      s.seq = s.nodes.length;
    } else if (ret === 0) {
      this.error("NOELEM", "");
      ret = -1;
      if (!this.ignorable) this.dump();
    }
    if (ret === 0 && this.perr !== 0) ret = this.perr;
    this.perr = oldperr;
    return ret;
  }

  /** xmlRelaxNGValidateElementEnd: no child and no attribute may be left. */
  elementEnd(log: boolean): number {
    const s = this.state!;
    s.seq = this.skipIgnored(s.nodes, s.seq);
    if (s.seq < s.nodes.length) {
      if (log) this.error("EXTRACONTENT", nodeName(s.node!), nodeName(s.nodes[s.seq]));
      return -1;
    }
    const i = s.attrs.findIndex((a) => a !== null);
    if (i >= 0) {
      if (log) this.error("INVALIDATTR", s.attrs[i]!.name, nodeName(s.node!));
      return -1 - i;
    }
    return 0;
  }

  /** xmlRelaxNGLogBestError: the end errors of the state that got furthest. */
  logBestError(): void {
    let best = -1;
    let value = 1000000;
    this.states!.forEach((st, i) => {
      const v = st.seq < st.nodes.length ? 100000 : st.left;
      if (best === -1 || value > v) [best, value] = [i, v];
    });
    if (best >= 0) {
      this.state = this.states![best];
      this.elementEnd(true);
    }
  }

  optional(d: Def): number {
    const errNr = this.errNr;
    const oldflags = this.flags;
    this.flags |= IGNORABLE;
    const oldstate = copyState(this.state!);
    if (this.definitionList(d.content) !== 0) {
      this.state = oldstate;
      this.flags = oldflags;
      this.popErrors(errNr);
      return 0;
    }
    if (this.states) addState(this.states, oldstate);
    else {
      this.states = [oldstate];
      addState(this.states, this.state!);
      this.state = null;
    }
    this.flags = oldflags;
    this.popErrors(errNr);
    return 0;
  }

  /** The ZEROORMORE case: every state reached by repeating the content is an exit. */
  repeat(d: Def): number {
    const res: VState[] = [];
    for (const st of this.state ? [this.state] : this.states!) addState(res, copyState(st));
    const oldflags = this.flags;
    this.flags |= IGNORABLE;
    let progress: boolean;
    do {
      progress = false;
      let base = res.length;
      if (this.states) {
        for (const st of this.states.splice(0)) {
          this.state = st;
          this.states = null;
          if (this.definitionList(d.content) === 0) {
            for (const x of this.state ? [this.state] : this.states ?? []) {
              if (addState(res, x) === 1) progress = true;
            }
          }
          this.state = null;
          this.states = null;
        }
      } else if (this.definitionList(d.content) !== 0) this.state = null;
      else {
        base = res.length;
        for (const x of this.state ? [this.state] : this.states ?? []) {
          if (addState(res, x) === 1) progress = true;
        }
        this.state = null;
        this.states = null;
      }
      if (progress) {
        if (res.length - base === 1) this.state = copyState(res[base]);
        else {
          this.states = [];
          for (const x of res.slice(base)) addState(this.states, copyState(x));
        }
      }
    } while (progress);
    this.states = res;
    this.state = null;
    this.flags = oldflags;
    return 0;
  }

  choice(d: Def): number {
    const s = this.state!;
    const at = this.skipIgnored(s.nodes, s.seq);
    const node = s.nodes[at];
    const errNr = this.errNr;
    // Without a next node libxml2 tries every branch: some may be attributes only.
    const triage = node && choiceTriage(d);
    if (triage) {
      const branch = node.type === "element"
        ? triageLookup(triage, nodeName(node), this.nsOf(node))
        : triage.get("#text");
      if (!branch) {
        this.error("ELEMWRONG", nodeName(node));
        return -1;
      }
      return this.definition(branch);
    }
    const oldflags = this.flags;
    this.flags |= IGNORABLE;
    let states: VState[] | null = null;
    let ret = 0;
    for (const branch of d.content) {
      const oldstate = copyState(this.state!);
      ret = this.definition(branch);
      if (ret === 0) {
        states ??= [];
        for (const x of this.state ? [this.state] : this.states ?? []) addState(states, x);
        this.states = null;
      }
      this.state = oldstate;
    }
    if (states) {
      this.states = states;
      this.state = null;
      ret = 0;
    } else this.states = null;
    this.flags = oldflags;
    if (ret !== 0) {
      if (!this.ignorable) this.dump();
    } else this.popErrors(errNr);
    return ret;
  }

  /** xmlRelaxNGValidateInterleave: children sorted into branches, each branch validated. */
  interleave(d: Def): number {
    const errNr = this.errNr;
    const part = partitionOf(d);
    const oldflags = this.flags;
    const s = this.state!;
    if (part.mixed) {
      this.flags |= MIXED;
      if (part.groups.length === 2) {
        s.seq = this.skipIgnored(s.nodes, s.seq);
        const rule = part.groups[part.groups[0].rule.type === "text" ? 1 : 0].rule;
        const ret = this.definition(rule);
        if (ret === 0 && this.state) {
          this.state.seq = this.skipIgnored(this.state.nodes, this.state.seq);
        }
        this.flags = oldflags;
        return ret;
      }
    }
    const lists: XmlNode[][] = part.groups.map(() => []);
    let cur = this.skipIgnored(s.nodes, s.seq);
    for (; cur < s.nodes.length; cur = this.skipIgnored(s.nodes, cur + 1)) {
      const n = s.nodes[cur];
      let i = part.groups.length;
      if (part.triage) {
        i = (n.type === "element"
          ? triageLookup(part.triage, nodeName(n), this.nsOf(n))
          : part.triage.get("#text")) ?? part.groups.length;
      } else {
        i = part.groups.findIndex((g) =>
          g.defs.some((x) =>
            n.type === "element"
              ? x.type === "element" && this.elementMatch(x, n, false)
              : n.type !== "comment" && x.type === "text"
          )
        );
        if (i < 0) i = part.groups.length;
      }
      if (i >= part.groups.length) break;
      lists[i].push(n);
    }
    const lastelem = cur;
    let oldstate = s;
    let ret = 0;
    const extra = (name: string) => {
      this.error("INTEREXTRA", name);
      this.state = oldstate;
      this.flags = oldflags;
      return -1;
    };
    for (let i = 0; i < part.groups.length; i++) {
      this.state = { ...copyState(oldstate), nodes: lists[i], seq: 0 };
      ret = this.definition(part.groups[i].rule);
      if (ret !== 0) break;
      if (this.state) {
        const st: VState = this.state;
        const left = this.skipIgnored(st.nodes, st.seq);
        oldstate = st;
        this.state = null;
        if (left < st.nodes.length) return extra(nodeName(st.nodes[left]));
      } else if (this.states) {
        const states: VState[] = this.states;
        let found = false;
        let left: XmlNode | undefined;
        for (const st of states) {
          const at = this.skipIgnored(st.nodes, st.seq);
          left = st.nodes[at];
          if (!left) {
            found = true;
            break;
          }
        }
        if (states.length) oldstate = states[states.length - 1];
        this.states = null;
        if (!found) return extra(nodeName(left!));
      } else {
        ret = -1;
        break;
      }
    }
    this.state = { ...oldstate, nodes: s.nodes, seq: lastelem };
    this.flags = oldflags;
    if (ret !== 0) {
      this.error("INTERSEQ");
      return -1;
    }
    this.popErrors(errNr);
    return 0;
  }

  /** xmlRelaxNGValidateAttributeList: plain attributes first, then the rest. */
  attributeList(list: Def[]): number {
    let ret = 0;
    for (const d of list) {
      if (d.type === "attribute" && this.attribute(d) !== 0) ret = -1;
    }
    const rest = this.sequence(list.filter((d) => d.type !== "attribute"));
    return rest < 0 ? rest : ret;
  }

  attribute(d: Def): number {
    const s = this.state!;
    if (s.left <= 0) return -1;
    // xmlRelaxNGAttributeMatch: an <anyName/> takes the first attribute left, of any namespace.
    const i = s.attrs.findIndex((a) =>
      a !== null && (d.name === undefined || (a.name === d.name && !a.ns))
    );
    if (i < 0) return -1;
    const old = s.value;
    s.value = s.attrs[i]!.value;
    const ret = this.valueList(d.content);
    s.value = old;
    if (ret === 0) {
      s.attrs[i] = null;
      s.left--;
    }
    return ret;
  }

  valueList(list: Def[]): number {
    let ret = 0;
    for (const d of list) if ((ret = this.value(d)) !== 0) break;
    return ret;
  }

  /** xmlRelaxNGValidateValue: the state's value (an attribute's, or an element's text). */
  value(d: Def): number {
    const s = this.state!;
    const value = s.value;
    switch (d.type) {
      case "empty":
        return value === null || isBlank(value) ? 0 : -1;
      case "text":
        return 0;
      case "value": {
        const norm = (x: string) => x.replace(/[ \t\n\r]+/g, " ").trim();
        if (value === null || (value !== d.value && norm(value) !== norm(d.value!))) return -1;
        s.value = null;
        return 0;
      }
      case "datatype": {
        if (value === null) {
          this.error("TYPE", d.name);
          return -1;
        }
        const ret = this.datatype(value, d);
        if (ret === 0) s.value = null;
        return ret;
      }
      case "choice": {
        const oldflags = this.flags;
        this.flags |= IGNORABLE;
        let ret = -1;
        for (const c of d.content) {
          if ((ret = this.value(c)) === 0) break;
          s.value = value;
        }
        this.flags = oldflags;
        if (ret !== 0) {
          if (!this.ignorable) this.dump();
          return ret;
        }
        // libxml2 drops the whole error stack here, not only this choice's errors.
        this.popErrors(0);
        s.value = null;
        return 0;
      }
      case "except":
        return d.content.some((c) => this.value(c) === 0) ? -1 : 0;
      case "def":
      case "group":
        return d.content.every((c) => this.value(c) === 0) ? 0 : -1;
      case "ref":
        return this.value(d.content[0]);
      default:
        return -1;
    }
  }

  /** xmlRelaxNGValidateDatatype: the type (with libxml2's line when it refuses), then facets. */
  datatype(value: string, d: Def): number {
    if (!xsdType(d.name!, value)) {
      this.error("TYPEVAL", d.name, value);
      return -1;
    }
    for (const [facet, facetValue] of d.params) {
      if (!xsdFacet(d.name!, facet, facetValue, value)) return -1;
    }
    if (d.except) {
      const s = this.state!;
      const old = s.value;
      s.value = value;
      const ret = this.value(d.except);
      s.value = old;
      return ret;
    }
    return 0;
  }
}

/**
 * Validates the document `root` against `schema` as libxml2 does for libvirt's VALIDATE flags:
 * the lines libvirt would report after "Unable to validate doc against …" (possibly none), or
 * undefined when the document is valid.
 */
export function relaxNGErrors(root: XmlElement, schema: RelaxNG): string[] | undefined {
  const v = new Validation(namespaces(root));
  return v.document(root, schema) ? undefined : v.lines;
}
