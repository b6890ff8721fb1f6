/**
 * Copies a libvirt RELAX NG schema (and the files it includes) into the JSON form that
 * `conf/common/relaxng_schema.ts` reads: the schema's own pattern elements, in document order,
 * with only the definitions reachable from `<start>`. Nothing is simplified here; libxml2's
 * simplifications are made where the schema is loaded, as libxml2 makes them.
 *
 * @example
 * ```sh
 * deno run -A tests/tools/rng_json.ts tests/fixtures/schemas/nodedev.rng \
 *   > conf/node_device/nodedev_rng.json
 * deno run -A tests/tools/rng_json.ts tests/fixtures/schemas/domain.rng inactiveDomain \
 *   > conf/domain/domain_rng.json
 * ```
 * @module
 */
import { basename, dirname, join } from "node:path";
import { parse, textOf, type XmlElement } from "../../util/xml/mod.ts";
import type { RngJson, RngNode } from "../../conf/common/relaxng_schema.ts";

function kids(el: XmlElement): XmlElement[] {
  return el.children.filter((c): c is XmlElement => c.type === "element");
}

/**
 * One pattern element as JSON: its tag, attributes, children, and text when it has no child. A
 * nested `<grammar>` that only includes a schema file is kept as that reference
 * (`{ e: "grammar", a: { href } }`): the file's own JSON copy stands for it when loaded.
 */
function toJson(el: XmlElement): RngNode {
  if (el.name === "grammar") {
    const [inc, ...more] = kids(el);
    if (inc?.name !== "include" || more.length || kids(inc).length) {
      throw new Error("nested grammars other than one plain <include> are not supported");
    }
    return { e: "grammar", a: { href: inc.attributes.href } };
  }
  const node: RngNode = { e: el.name };
  const attrs = Object.entries(el.attributes).filter(([k]) => k !== "xmlns");
  if (attrs.length) node.a = Object.fromEntries(attrs);
  const children = kids(el);
  if (children.length) node.c = children.map(toJson);
  else if (textOf(el) !== undefined) node.v = textOf(el);
  return node;
}

/**
 * The `<define>`s and `<start>` of a grammar file and of the files it includes; a name defined
 * more than once keeps every definition, in document order (libxml2's combine list).
 */
function collect(file: string, defines: Map<string, XmlElement[]>, starts: XmlElement[]): void {
  const root = parse(Deno.readTextFileSync(file));
  for (const c of kids(root)) {
    if (c.name === "include") {
      if (kids(c).length) throw new Error(`${file}: overriding includes are not supported`);
      collect(join(dirname(file), c.attributes.href), defines, starts);
    } else if (c.name === "define") {
      const list = defines.get(c.attributes.name) ?? [];
      if (list.length && c.attributes.combine !== "choice") {
        throw new Error(`${file}: define ${c.attributes.name} combined other than by choice`);
      }
      defines.set(c.attributes.name, [...list, c]);
    } else if (c.name === "start") starts.push(c);
    else throw new Error(`${file}: unsupported grammar content <${c.name}>`);
  }
}

/**
 * A define's body as JSON. Defines combined by choice become one `<choice>` of their bodies, a
 * body of several patterns wrapped in a group, as xmlRelaxNGCheckCombine merges them.
 */
function body(list: XmlElement[]): RngNode[] {
  if (list.length === 1) return kids(list[0]).map(toJson);
  const branches = list.map((d) => kids(d).map(toJson))
    .map((b) => b.length === 1 ? b[0] : { e: "group", c: b });
  return [{ e: "choice", c: branches }];
}

/**
 * The schema `file` as {@link RngJson}, keeping only what `<start>` reaches, and what the
 * defines named in `keep` reach (so that a schema differing only by its start, as
 * inactiveDomain.rng from domain.rng, can share the copy).
 */
export function rngJson(file: string, keep: string[] = []): RngJson {
  const defines = new Map<string, XmlElement[]>();
  const starts: XmlElement[] = [];
  collect(file, defines, starts);
  if (starts.length !== 1) throw new Error(`${file}: expected one <start>`);
  const used = new Set<string>();
  const walk = (el: XmlElement) => {
    if (el.name === "ref" && !used.has(el.attributes.name)) {
      const d = defines.get(el.attributes.name);
      if (!d) throw new Error(`${file}: undefined ref ${el.attributes.name}`);
      used.add(el.attributes.name);
      d.forEach(walk);
    }
    kids(el).forEach(walk);
  };
  walk(starts[0]);
  for (const name of keep) {
    if (!defines.has(name)) throw new Error(`${file}: no define ${name} to keep`);
    used.add(name);
    defines.get(name)!.forEach(walk);
  }
  return {
    source: `libvirt 9.0.0 src/conf/schemas/${basename(file)} and the files it includes ` +
      "(tests/fixtures/schemas, from /usr/share/libvirt/schemas)",
    start: kids(starts[0]).map(toJson),
    defines: Object.fromEntries(
      [...defines].filter(([n]) => used.has(n)).map(([n, d]) => [n, body(d)]),
    ),
  };
}

if (import.meta.main) {
  console.log(JSON.stringify(rngJson(Deno.args[0], Deno.args.slice(1)), null, 1));
}
