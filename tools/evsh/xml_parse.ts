/**
 * The XML parser for handlers, loaded on first use: `util/xml` parses with saxes, an npm
 * package, and on Deno the first npm package of a process loads the Node compatibility layer
 * (about 20 ms, more than the rest of a one-command run). Commands that never parse XML, in the
 * same handler modules as ones that do, so start without it.
 * @module
 */
import type { ParseOptions } from "../../util/xml/parse.ts";
import type { XmlElement } from "../../util/xml/types.ts";

/**
 * `parse` of `util/xml`: the document's root element, or libvirt's XML error.
 *
 * @example
 * ```ts
 * import { parseXML } from "./xml_parse.ts";
 * (await parseXML("<domain type='qemu'/>")).attributes.type; // "qemu"
 * ```
 */
export async function parseXML(xml: string, options?: ParseOptions): Promise<XmlElement> {
  return (await import("../../util/xml/parse.ts")).parse(xml, options);
}
