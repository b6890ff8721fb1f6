/**
 * The namespace handling behind `virDomainSetMetadata` / `virDomainGetMetadata` for
 * `VIR_DOMAIN_METADATA_ELEMENT`: libvirt's virXMLInjectNamespace, virXMLFindChildNodeByNs and
 * virXMLExtractNamespaceXML on the plain element trees of `util/xml`, where a namespace is an
 * `xmlns…` attribute and an element's prefix is part of its name.
 *
 * @module
 */
import type { XmlElement, XmlNode } from "../../util/xml/mod.ts";
import { VirError } from "../../util/errors.ts";
import { formatMetadata } from "./metadata.ts";

/** Namespace URIs in scope: prefix ("" for the default namespace) to URI ("" = none). */
export type Scope = ReadonlyMap<string, string>;

function prefixOf(name: string): string {
  const colon = name.indexOf(":");
  return colon < 0 ? "" : name.slice(0, colon);
}

/**
 * An element's local name (its name without the prefix).
 *
 * @example
 * ```ts
 * import { localOf } from "./metadata_ns.ts";
 * localOf("qemu:arg"); // "arg"
 * ```
 */
export function localOf(name: string): string {
  return name.slice(name.indexOf(":") + 1);
}

/**
 * The scope inside `el`: its own `xmlns` / `xmlns:p` declarations over the outer scope.
 *
 * @example
 * ```ts
 * import { enter } from "./metadata_ns.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * enter(parse("<a xmlns:k='u'/>"), new Map()).get("k"); // "u"
 * ```
 */
export function enter(el: XmlElement, outer: Scope): Scope {
  const scope = new Map(outer);
  for (const [k, v] of Object.entries(el.attributes)) {
    if (k === "xmlns") scope.set("", v);
    else if (k.startsWith("xmlns:")) scope.set(k.slice(6), v);
  }
  return scope;
}

/**
 * The namespace URI of `el` in `scope` (its own declarations included), if it has one.
 *
 * @example
 * ```ts
 * import { enter, namespaceIn } from "./metadata_ns.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * const el = parse("<k:a xmlns:k='u'/>");
 * namespaceIn(el, enter(el, new Map())); // "u"
 * ```
 */
export function namespaceIn(el: XmlElement, scope: Scope): string | undefined {
  return scope.get(prefixOf(el.name)) || undefined;
}

/** An element with the namespace scope inside it. */
export interface ScopedElement {
  el: XmlElement;
  scope: Scope;
}

/**
 * XPath's `./p:local` with prefix `p` bound to `uri`: the children of `parent` named `local` in
 * namespace `uri`, whatever prefix (or default namespace) they use, in document order.
 *
 * @example
 * ```ts
 * import { childrenInNamespace, enter } from "./metadata_ns.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * const el = parse("<d xmlns:k='u'><k:a/><a/></d>");
 * childrenInNamespace({ el, scope: enter(el, new Map()) }, "u", "a").length; // 1
 * ```
 */
export function childrenInNamespace(
  parent: ScopedElement,
  uri: string,
  local: string,
): ScopedElement[] {
  const out: ScopedElement[] = [];
  for (const c of parent.el.children) {
    if (c.type !== "element" || localOf(c.name) !== local) continue;
    const scope = enter(c, parent.scope);
    if (namespaceIn(c, scope) === uri) out.push({ el: c, scope });
  }
  return out;
}

/** Rebuilds every element of a tree, each with the scope its name resolves in. */
function mapElements(
  el: XmlElement,
  outer: Scope,
  f: (el: XmlElement, scope: Scope) => XmlElement,
): XmlElement {
  const scope = enter(el, outer);
  const kids: XmlNode[] = el.children.map((c) =>
    c.type === "element" ? mapElements(c, scope, f) : c
  );
  return f({ ...el, children: kids }, scope);
}

/** libxml2's xmlValidateNCName: a letter or `_`, then letters, digits, `.`, `-`, `_`. */
const NCNAME = /^[\p{L}_][\p{L}\p{N}._\-\u00B7\u0300-\u036F\u203F-\u2040]*$/u;

/**
 * virXMLInjectNamespace: declares `xmlns:key="uri"` on `el` (after its other namespace
 * declarations, before its attributes, as libxml2 prints `nsDef`) and puts every element of
 * the tree that has no namespace into it. A key that is not an NCName, or a prefix `el`
 * already declares, is libvirt's internal error from VIR_FROM_XML.
 *
 * @example
 * ```ts
 * import { injectNamespace } from "./metadata_ns.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * injectNamespace(parse("<bar><a/></bar>"), "http://x", "k").name; // "k:bar"
 * ```
 */
export function injectNamespace(el: XmlElement, uri: string, key: string): XmlElement {
  if (!NCNAME.test(key)) {
    throw VirError.report(
      "XML",
      "INTERNAL_ERROR",
      "failed to validate prefix for a new XML namespace",
    );
  }
  if (el.attributes[`xmlns:${key}`] !== undefined) {
    throw VirError.report("XML", "INTERNAL_ERROR", "failed to create a new XML namespace");
  }
  const decls = Object.entries(el.attributes).filter(([k]) =>
    k === "xmlns" || k.startsWith("xmlns:")
  );
  const plain = Object.entries(el.attributes).filter(([k]) =>
    !(k === "xmlns" || k.startsWith("xmlns:"))
  );
  const root: XmlElement = {
    ...el,
    attributes: Object.fromEntries([...decls, [`xmlns:${key}`, uri], ...plain]),
  };
  return mapElements(
    root,
    new Map(),
    (e, scope) =>
      namespaceIn(e, scope) === undefined ? { ...e, name: `${key}:${localOf(e.name)}` } : e,
  );
}

/**
 * virXMLFindChildNodeByNs: the first child element of `parent` in namespace `uri`.
 *
 * @example
 * ```ts
 * import { findChildByNamespace } from "./metadata_ns.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * findChildByNamespace(parse("<metadata><k:a xmlns:k='u'/></metadata>"), "u")?.name; // "k:a"
 * ```
 */
export function findChildByNamespace(parent: XmlElement, uri: string): XmlElement | undefined {
  const scope = enter(parent, new Map());
  return parent.children.find((c): c is XmlElement => inNamespace(c, scope, uri));
}

function inNamespace(node: XmlNode, scope: Scope, uri: string): node is XmlElement {
  return node.type === "element" && namespaceIn(node, enter(node, scope)) === uri;
}

/**
 * The children of `parent` without its elements in namespace `uri` (what virDomainSetMetadata
 * keeps before it appends the new element).
 *
 * @example
 * ```ts
 * import { withoutNamespace } from "./metadata_ns.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * withoutNamespace(parse("<metadata><k:a xmlns:k='u'/></metadata>"), "u").length; // 0
 * ```
 */
export function withoutNamespace(parent: XmlElement, uri: string): XmlNode[] {
  const scope = enter(parent, new Map());
  return parent.children.filter((c) => !inNamespace(c, scope, uri));
}

/**
 * virXMLExtractNamespaceXML: the element as text without namespace `uri` (its elements lose
 * the prefix, the first declaration of `uri` on the element goes), formatted as libvirt's
 * virXMLNodeToString does.
 *
 * @example
 * ```ts
 * import { extractNamespaceXML } from "./metadata_ns.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * extractNamespaceXML(parse("<k:a xmlns:k='u'><k:b/></k:a>"), "u"); // "<a>\n  <b/>\n</a>"
 * ```
 */
export function extractNamespaceXML(el: XmlElement, uri: string): string {
  const stripped = mapElements(
    el,
    new Map(),
    (e, scope) => namespaceIn(e, scope) === uri ? { ...e, name: localOf(e.name) } : e,
  );
  const first = Object.entries(stripped.attributes).find(([k, v]) =>
    (k === "xmlns" || k.startsWith("xmlns:")) && v === uri
  );
  if (first) {
    stripped.attributes = Object.fromEntries(
      Object.entries(stripped.attributes).filter(([k]) => k !== first[0]),
    );
  }
  return formatMetadata(stripped, 0);
}
