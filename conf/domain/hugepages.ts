/**
 * `<memoryBacking><hugepages><page>`: virDomainHugepagesParseXML (a required, non-zero size
 * scaled to KiB, an optional node set) and virDomainHugepagesFormatBuf (`unit='KiB'` always).
 *
 * @example
 * ```ts
 * import { parseHugepage } from "./hugepages.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseHugepage(parse("<page size='2' unit='M'/>")).attributes; // { size: "2048", unit: "KiB" }
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { element } from "../../util/xml/mod.ts";
import { LLONG_MAX } from "../common/mod.ts";
import { scaledText } from "./scaled.ts";
import { formatBitmap, parseBitmap } from "./bitmap.ts";

/** One `<page>` as libvirt keeps and writes it. */
export function parseHugepage(page: XmlElement): XmlElement {
  const raw = page.attributes.size;
  if (!raw) {
    throw VirError.report("XML", "XML_ERROR", "missing element or attribute './@size'");
  }
  const bytes = scaledText(raw, page.attributes.unit, "./@size", 1024n, LLONG_MAX);
  const kib = (bytes + 1023n) / 1024n;
  if (kib >= (LLONG_MAX + 1023n) / 1024n) {
    throw VirError.report("DOMAIN", "OVERFLOW", "size value too large");
  }
  if (!kib) throw VirError.report("DOMAIN", "XML_DETAIL", "hugepage size can't be zero");
  const text = page.attributes.nodeset;
  let nodeset: string | undefined;
  if (text !== undefined) {
    const nodes = parseBitmap(text);
    if (!nodes.length) {
      throw VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", `Invalid value of 'nodeset': ${text}`);
    }
    nodeset = formatBitmap(nodes);
  }
  return element("page", { size: String(kib), unit: "KiB", nodeset });
}
