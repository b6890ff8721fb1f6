/**
 * Domain metadata (`virDomainObjGetMetadata` / `virDomainDefSetMetadata` of domain_conf.c):
 * `<description>`, `<title>` and the namespaced elements under `<metadata>`.
 *
 * @module
 */
import type { DomainDef } from "./def.ts";
import {
  extractNamespaceXML,
  findChildByNamespace,
  injectNamespace,
  withoutNamespace,
} from "../common/metadata_ns.ts";
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import { parse, type XmlElement } from "../../util/xml/mod.ts";

function unknownType(type: number): VirError {
  return VirError.report("DOMAIN", "INVALID_ARG", `unknown metadata type '${type}'`);
}

function notFound(): VirError {
  return VirError.report(
    "DOMAIN",
    "NO_DOMAIN_METADATA",
    "Requested metadata element is not present",
  );
}

/**
 * The metadata of type `type` in the definition `oneDef` picks (the element of namespace `uri`
 * for ELEMENT), or libvirt's NO_DOMAIN_METADATA error. As `virDomainObjGetMetadata`, an unknown
 * type is refused before the definition is picked (so before "domain is not running"), and a
 * negative one, which no case of its switch takes, is metadata that is not present.
 *
 * @example
 * ```ts
 * import { getMetadata } from "./metadata.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * getMetadata(() => def, 1, null); // the <title>
 * ```
 */
export function getMetadata(oneDef: () => DomainDef, type: number, uri: string | null): string {
  if (type > VIR.DOMAIN_METADATA_ELEMENT) throw unknownType(type);
  const def = oneDef();
  if (type === VIR.DOMAIN_METADATA_DESCRIPTION || type === VIR.DOMAIN_METADATA_TITLE) {
    const text = type === VIR.DOMAIN_METADATA_TITLE ? def.title : def.description;
    if (text === undefined) throw notFound();
    return text;
  }
  if (type !== VIR.DOMAIN_METADATA_ELEMENT) throw notFound();
  const el = def.metadata && findChildByNamespace(def.metadata, uri!);
  if (!el) throw notFound();
  return extractNamespaceXML(el, uri!);
}

/**
 * Checks `type` and parses the new metadata once (the element under `key:` in namespace
 * `uri` for ELEMENT), as libvirt does before changing any definition: the first failure stops
 * before any change. The result applies to each definition with {@link applyMetadata}.
 *
 * @example
 * ```ts
 * import { parseMetadata } from "./metadata.ts";
 * parseMetadata(2, "<a/>", "app", "http://example.org/");
 * ```
 */
export function parseMetadata(
  type: number,
  metadata: string | null,
  key: string | null,
  uri: string | null,
): XmlElement | undefined {
  if (type < VIR.DOMAIN_METADATA_DESCRIPTION || type > VIR.DOMAIN_METADATA_ELEMENT) {
    throw unknownType(type);
  }
  return type === VIR.DOMAIN_METADATA_ELEMENT && metadata !== null
    ? injectNamespace(
      parse(metadata, { context: "(metadata_xml)", errorDomain: "DOMAIN" }),
      uri!,
      key!,
    )
    : undefined;
}

/**
 * `virDomainDefSetMetadata` on one definition; `element` is {@link parseMetadata}'s tree.
 *
 * @example
 * ```ts
 * import { applyMetadata } from "./metadata.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * applyMetadata(def, 0, "a web server", undefined, null); // <description>
 * ```
 */
export function applyMetadata(
  def: DomainDef,
  type: number,
  text: string | null,
  element: XmlElement | undefined,
  uri: string | null,
): void {
  if (type === VIR.DOMAIN_METADATA_DESCRIPTION) def.description = text || undefined;
  else if (type === VIR.DOMAIN_METADATA_TITLE) def.title = text || undefined;
  else {
    // Every element of the namespace goes; the new one, if any, is appended after the rest.
    const kids = def.metadata ? withoutNamespace(def.metadata, uri!) : [];
    if (element) kids.push(structuredClone(element));
    def.metadata = kids.length
      ? { type: "element", name: "metadata", attributes: {}, children: kids }
      : undefined;
  }
}
