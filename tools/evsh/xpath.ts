/**
 * The XPath 1.0 subset that `dumpxml --xpath` users write, over `util/xml` trees, with
 * libxml2's answers: location paths (abbreviated and the child, attribute, self, parent,
 * descendant and descendant-or-self axes; name, `*`, `text()`, `node()` tests), predicates,
 * unions, `and`/`or`, comparisons, literals, numbers and the functions `last`, `position`,
 * `count`, `name`, `local-name`, `string`, `contains`, `starts-with`, `not`, `true`, `false`.
 * Nodes print as libxml2's `xmlNodeDump` does (double-quoted attributes, ` name="v"` for an
 * attribute node).
 * @module
 */
import type { XmlElement, XmlNode } from "../../util/xml/mod.ts";

/** A node of the evaluated document; `order` is its place in document order. */
export type XNode =
  | { kind: "root"; order: number; children: XNode[]; parent?: undefined }
  | {
    kind: "element";
    order: number;
    name: string;
    attrs: XNode[];
    children: XNode[];
    parent: XNode;
  }
  | { kind: "attr"; order: number; name: string; value: string; parent: XNode }
  | { kind: "text" | "comment"; order: number; text: string; parent: XNode };

/** What libxml2 makes of an expression: nodes, another value, or an XPath error line. */
export type XPathResult =
  | { nodes: XNode[] }
  | { value: string | number | boolean }
  | { error: string };

/**
 * The document of `root` as XPath sees it, and its root element, the context node. Blank text
 * between elements is dropped, as libxml2 parses with `xmlKeepBlanksDefault(0)`, unless
 * `keepBlanks` (libvirt's own parser keeps it).
 */
export function xpathDocument(
  root: XmlElement,
  keepBlanks = false,
): { doc: XNode; context: XNode } {
  let order = 0;
  const doc: XNode = { kind: "root", order: order++, children: [] };
  const build = (el: XmlElement, parent: XNode): XNode => {
    const node: XNode = {
      kind: "element",
      order: order++,
      name: el.name,
      attrs: [],
      children: [],
      parent,
    };
    for (const [name, value] of Object.entries(el.attributes)) {
      node.attrs.push({ kind: "attr", order: order++, name, value, parent: node });
    }
    const hasElements = !keepBlanks && el.children.some((c) => c.type === "element");
    for (const c of el.children) {
      const kid = convert(c, node, hasElements);
      if (kid) node.children.push(kid);
    }
    return node;
  };
  const convert = (c: XmlNode, parent: XNode, dropBlank: boolean): XNode | undefined => {
    if (c.type === "element") return build(c, parent);
    if (c.type === "comment") return { kind: "comment", order: order++, text: c.text, parent };
    if (dropBlank && c.text.trim() === "") return undefined;
    return { kind: "text", order: order++, text: c.text, parent };
  };
  const context = build(root, doc);
  doc.children.push(context);
  return { doc, context };
}

type Value = XNode[] | string | number | boolean;

type Expr =
  | { op: "path"; absolute: boolean; start?: Expr; steps: Step[] }
  | { op: "literal"; value: string | number }
  | { op: "call"; name: string; args: Expr[] }
  | { op: "binary"; kind: string; left: Expr; right: Expr }
  | { op: "neg"; arg: Expr };

interface Step {
  axis: string;
  test: string;
  predicates: Expr[];
}

class XPathError extends Error {}

const AXES = ["child", "attribute", "self", "parent", "descendant", "descendant-or-self"];

function tokenize(s: string): string[] {
  const re =
    /\s*(\/\/|\/|\.\.|\.|::|@|\(|\)|\[|\]|\||,|!=|<=|>=|=|<|>|\*|\+|-|'[^']*'|"[^"]*"|\d+(?:\.\d*)?|\.\d+|[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)/y;
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    if (/^\s*$/.test(s.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(s);
    if (!m) throw new XPathError("Invalid expression");
    out.push(m[1]);
    i = re.lastIndex;
  }
  return out;
}

class Parser {
  #t: string[];
  #i = 0;
  constructor(tokens: string[]) {
    this.#t = tokens;
  }
  peek(k = 0): string | undefined {
    return this.#t[this.#i + k];
  }
  next(): string {
    const t = this.#t[this.#i++];
    if (t === undefined) throw new XPathError("Invalid expression");
    return t;
  }
  expect(t: string): void {
    if (this.next() !== t) throw new XPathError("Invalid expression");
  }
  done(): boolean {
    return this.#i >= this.#t.length;
  }
  expr(): Expr {
    return this.#binary(["or"], () => this.#binary(["and"], () => this.#equality()));
  }
  #binary(ops: string[], sub: () => Expr): Expr {
    let left = sub();
    while (ops.includes(this.peek() ?? "")) {
      const kind = this.next();
      left = { op: "binary", kind, left, right: sub() };
    }
    return left;
  }
  #equality(): Expr {
    return this.#binary(
      ["=", "!="],
      () => this.#binary(["<", ">", "<=", ">="], () => this.#additive()),
    );
  }
  #additive(): Expr {
    return this.#binary(["+", "-"], () => this.#unary());
  }
  #unary(): Expr {
    if (this.peek() === "-") {
      this.next();
      return { op: "neg", arg: this.#unary() };
    }
    return this.#binary(["|"], () => this.#pathExpr());
  }
  #pathExpr(): Expr {
    const t = this.peek();
    if (t === undefined) throw new XPathError("Invalid expression");
    const isCall = /^[A-Za-z_]/.test(t) && this.peek(1) === "(" &&
      !["text", "node", "comment"].includes(t);
    if (/^['"]/.test(t)) return { op: "literal", value: this.next().slice(1, -1) };
    if (/^\.?\d/.test(t) && t !== ".") return { op: "literal", value: Number(this.next()) };
    if (t === "(" || isCall) {
      let start: Expr;
      if (t === "(") {
        this.next();
        start = this.expr();
        this.expect(")");
      } else {
        const name = this.next();
        this.next();
        const args: Expr[] = [];
        if (this.peek() !== ")") {
          args.push(this.expr());
          while (this.peek() === ",") {
            this.next();
            args.push(this.expr());
          }
        }
        this.expect(")");
        start = { op: "call", name, args };
      }
      if (this.peek() !== "/" && this.peek() !== "//") return start;
      return { op: "path", absolute: false, start, steps: this.#relative() };
    }
    if (t === "/") {
      this.next();
      const more = this.peek();
      const startsStep = more !== undefined &&
        (more === "." || more === ".." || more === "@" || more === "*" ||
          /^[A-Za-z_]/.test(more));
      return { op: "path", absolute: true, steps: startsStep ? this.#relative() : [] };
    }
    if (t === "//") {
      this.next();
      return { op: "path", absolute: true, steps: [DESCENDANT_OR_SELF, ...this.#relative()] };
    }
    return { op: "path", absolute: false, steps: this.#relative() };
  }
  #relative(): Step[] {
    const steps = [this.#step()];
    while (this.peek() === "/" || this.peek() === "//") {
      if (this.next() === "//") steps.push(DESCENDANT_OR_SELF);
      steps.push(this.#step());
    }
    return steps;
  }
  #step(): Step {
    const t = this.next();
    if (t === ".") return { axis: "self", test: "node()", predicates: [] };
    if (t === "..") return { axis: "parent", test: "node()", predicates: [] };
    let axis = "child";
    let test = t;
    if (t === "@") {
      axis = "attribute";
      test = this.next();
    } else if (this.peek() === "::") {
      if (!AXES.includes(t)) throw new XPathError("Invalid expression");
      this.next();
      axis = t;
      test = this.next();
    }
    if (["text", "node", "comment"].includes(test) && this.peek() === "(") {
      this.next();
      this.expect(")");
      test += "()";
    } else if (test !== "*" && !/^[A-Za-z_]/.test(test)) {
      throw new XPathError("Invalid expression");
    }
    if (test.includes(":")) throw new XPathError("Undefined namespace prefix");
    const predicates: Expr[] = [];
    while (this.peek() === "[") {
      this.next();
      predicates.push(this.expr());
      this.expect("]");
    }
    return { axis, test, predicates };
  }
}

const DESCENDANT_OR_SELF: Step = { axis: "descendant-or-self", test: "node()", predicates: [] };

function descendants(n: XNode, out: XNode[]): XNode[] {
  if (n.kind === "root" || n.kind === "element") {
    for (const c of n.children) {
      out.push(c);
      descendants(c, out);
    }
  }
  return out;
}

function axisNodes(n: XNode, axis: string): XNode[] {
  switch (axis) {
    case "child":
      return n.kind === "root" || n.kind === "element" ? n.children : [];
    case "attribute":
      return n.kind === "element" ? n.attrs : [];
    case "self":
      return [n];
    case "parent":
      return n.parent ? [n.parent] : [];
    case "descendant":
      return descendants(n, []);
    default:
      return descendants(n, [n]);
  }
}

function matches(n: XNode, step: Step): boolean {
  if (step.test === "node()") return true;
  if (step.test === "text()") return n.kind === "text";
  if (step.test === "comment()") return n.kind === "comment";
  const principal = step.axis === "attribute" ? "attr" : "element";
  if (n.kind !== principal) return false;
  return step.test === "*" || (n as { name: string }).name === step.test;
}

function stringValue(n: XNode): string {
  switch (n.kind) {
    case "attr":
      return n.value;
    case "text":
    case "comment":
      return n.text;
    default:
      return descendants(n, []).filter((d) => d.kind === "text").map((d) =>
        (d as { text: string }).text
      ).join("");
  }
}

function toStr(v: Value): string {
  if (Array.isArray(v)) return v.length ? stringValue(v[0]) : "";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(v);
  return String(v);
}

function toNum(v: Value): number {
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  const s = toStr(v).trim();
  return /^-?(\d+(\.\d*)?|\.\d+)$/.test(s) ? Number(s) : NaN;
}

function toBool(v: Value): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "number") return v !== 0 && !Number.isNaN(v);
  if (typeof v === "string") return v !== "";
  return v;
}

function compare(kind: string, a: Value, b: Value): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    const as = Array.isArray(a) ? a.map(stringValue) : [a];
    const bs = Array.isArray(b) ? b.map(stringValue) : [b];
    return as.some((x) => bs.some((y) => compare(kind, x, y)));
  }
  if (kind === "=" || kind === "!=") {
    let eq: boolean;
    if (typeof a === "boolean" || typeof b === "boolean") eq = toBool(a) === toBool(b);
    else if (typeof a === "number" || typeof b === "number") eq = toNum(a) === toNum(b);
    else eq = a === b;
    return kind === "=" ? eq : !eq;
  }
  const x = toNum(a);
  const y = toNum(b);
  return kind === "<" ? x < y : kind === ">" ? x > y : kind === "<=" ? x <= y : x >= y;
}

interface Ctx {
  node: XNode;
  position: number;
  size: number;
  doc: XNode;
}

const FUNCTIONS: Record<string, { arity: [number, number]; fn: (c: Ctx, a: Value[]) => Value }> = {
  last: { arity: [0, 0], fn: (c) => c.size },
  position: { arity: [0, 0], fn: (c) => c.position },
  count: { arity: [1, 1], fn: (_c, [ns]) => nodeSet(ns).length },
  name: { arity: [0, 1], fn: (c, a) => nodeName(a.length ? nodeSet(a[0])[0] : c.node) },
  "local-name": {
    arity: [0, 1],
    fn: (c, a) => nodeName(a.length ? nodeSet(a[0])[0] : c.node),
  },
  string: { arity: [0, 1], fn: (c, a) => (a.length ? toStr(a[0]) : stringValue(c.node)) },
  contains: { arity: [2, 2], fn: (_c, [x, y]) => toStr(x).includes(toStr(y)) },
  "starts-with": { arity: [2, 2], fn: (_c, [x, y]) => toStr(x).startsWith(toStr(y)) },
  not: { arity: [1, 1], fn: (_c, [x]) => !toBool(x) },
  true: { arity: [0, 0], fn: () => true },
  false: { arity: [0, 0], fn: () => false },
};

function nodeSet(v: Value): XNode[] {
  if (!Array.isArray(v)) throw new XPathError("Invalid type");
  return v;
}

function nodeName(n: XNode | undefined): string {
  return n && (n.kind === "element" || n.kind === "attr") ? n.name : "";
}

function sortUnique(nodes: XNode[]): XNode[] {
  return [...new Set(nodes)].sort((a, b) => a.order - b.order);
}

function evaluate(e: Expr, c: Ctx): Value {
  switch (e.op) {
    case "literal":
      return e.value;
    case "neg":
      return -toNum(evaluate(e.arg, c));
    case "call": {
      const f = FUNCTIONS[e.name];
      if (!f) throw new XPathError("Unregistered function");
      if (e.args.length < f.arity[0] || e.args.length > f.arity[1]) {
        throw new XPathError("Invalid number of arguments");
      }
      return f.fn(c, e.args.map((a) => evaluate(a, c)));
    }
    case "binary": {
      if (e.kind === "or") return toBool(evaluate(e.left, c)) || toBool(evaluate(e.right, c));
      if (e.kind === "and") return toBool(evaluate(e.left, c)) && toBool(evaluate(e.right, c));
      const l = evaluate(e.left, c);
      const r = evaluate(e.right, c);
      if (e.kind === "|") return sortUnique([...nodeSet(l), ...nodeSet(r)]);
      if (e.kind === "+") return toNum(l) + toNum(r);
      if (e.kind === "-") return toNum(l) - toNum(r);
      return compare(e.kind, l, r);
    }
    case "path": {
      let set: XNode[] = e.absolute ? [c.doc] : e.start ? nodeSet(evaluate(e.start, c)) : [c.node];
      for (const step of e.steps) {
        const next: XNode[] = [];
        for (const n of set) {
          let found = axisNodes(n, step.axis).filter((m) => matches(m, step));
          for (const p of step.predicates) {
            found = found.filter((m, i) => {
              const v = evaluate(p, { node: m, position: i + 1, size: found.length, doc: c.doc });
              return typeof v === "number" ? v === i + 1 : toBool(v);
            });
          }
          next.push(...found);
        }
        set = sortUnique(next);
      }
      return set;
    }
  }
}

/**
 * Evaluates `expr` with `node` as context node (by default the root element, as libvirt's
 * `virXPathNodeSet` sets it).
 *
 * @example
 * ```ts
 * import { parse } from "../../util/xml/mod.ts";
 * import { evaluateXPath, xpathDocument } from "./xpath.ts";
 * const r = evaluateXPath(xpathDocument(parse("<a><b x='1'/></a>")), "//b/@x");
 * "nodes" in r && r.nodes.length; // 1
 * ```
 */
export function evaluateXPath(
  document: { doc: XNode; context: XNode },
  expr: string,
  node: XNode = document.context,
): XPathResult {
  try {
    const p = new Parser(tokenize(expr));
    const e = p.expr();
    if (!p.done()) throw new XPathError("Invalid expression");
    const v = evaluate(e, { node, position: 1, size: 1, doc: document.doc });
    return Array.isArray(v) ? { nodes: v } : { value: v };
  } catch (err) {
    if (err instanceof XPathError) return { error: err.message };
    throw err;
  }
}

function escapeText(s: string): string {
  return s.replace(
    /[<>&\r]/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "\r": "&#13;" })[c]!,
  );
}

function escapeAttr(s: string): string {
  return s.replace(
    /[<>&"\n\r\t]/g,
    (c) =>
      ({
        "<": "&lt;",
        ">": "&gt;",
        "&": "&amp;",
        '"': "&quot;",
        "\n": "&#10;",
        "\r": "&#13;",
        "\t": "&#9;",
      })[c]!,
  );
}

function attrText(a: XNode): string {
  return a.kind === "attr" ? ` ${a.name}="${escapeAttr(a.value)}"` : "";
}

/**
 * A node as libxml2's `xmlNodeDump` writes it with formatting on, at nesting `level`
 * (libvirt's `virXMLNodeToString`): children indented two spaces unless the element holds
 * text, empty elements as `<x/>`.
 */
export function dumpNode(n: XNode, level = 0): string {
  switch (n.kind) {
    case "attr":
      return attrText(n);
    case "text":
      return escapeText(n.text);
    case "comment":
      return `<!--${n.text}-->`;
    case "root":
      return n.children.map((c) => dumpNode(c, level)).join("\n");
    case "element":
      return dumpElement(n.name, n.attrs, n.children, level);
  }
}

function dumpElement(name: string, attrs: XNode[], children: XNode[], level: number): string {
  const open = `<${name}${attrs.map(attrText).join("")}`;
  if (!children.length) return `${open}/>`;
  const format = !children.some((c) => c.kind === "text");
  if (!format) return `${open}>${children.map((c) => dumpNode(c, 0)).join("")}</${name}>`;
  const pad = "  ".repeat(level + 1);
  return `${open}>\n${children.map((c) => pad + dumpNode(c, level + 1) + "\n").join("")}${
    "  ".repeat(level)
  }</${name}>`;
}

/**
 * `--wrap`: the nodes copied under a new `<nodes>` element as libxml2's `xmlAddChild` adds
 * them (an attribute replaces one of the same name, adjacent text merges).
 */
export function dumpWrapped(nodes: XNode[]): string {
  const attrs: XNode[] = [];
  const children: XNode[] = [];
  for (const n of nodes) {
    if (n.kind === "attr") {
      const i = attrs.findIndex((a) => a.kind === "attr" && a.name === n.name);
      if (i >= 0) attrs.splice(i, 1);
      attrs.push(n);
    } else if (n.kind === "root") children.push(...n.children);
    else {
      const last = children.at(-1);
      if (n.kind === "text" && last?.kind === "text") {
        children[children.length - 1] = { ...last, text: last.text + n.text };
      } else children.push(n);
    }
  }
  return dumpElement("nodes", attrs, children, 0);
}

/**
 * libvirt's `virXPathString` for virsh's own well-formed queries: the string value, `undefined`
 * for an empty one.
 */
export function xpathString(
  document: { doc: XNode; context: XNode },
  expr: string,
  node?: XNode,
): string | undefined {
  const r = evaluateXPath(document, expr, node);
  if (!("value" in r)) return undefined;
  return r.value === "" ? undefined : String(r.value);
}

/** libvirt's `virXPathNodeSet` for virsh's own well-formed queries. */
export function xpathNodes(
  document: { doc: XNode; context: XNode },
  expr: string,
  node?: XNode,
): XNode[] {
  const r = evaluateXPath(document, expr, node);
  return "nodes" in r ? r.nodes : [];
}
