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
import { child, children, element } from "../../util/xml/mod.ts";
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

/** The `<page>` elements of a domain's `<memoryBacking>` (sections as parsed). */
function pagesOf(sections: XmlElement[]): XmlElement[] {
  return children(child(sections.find((s) => s.name === "memoryBacking"), "hugepages"), "page");
}

/**
 * virDomainDefPostParseMemtune: without guest NUMA, a page's node set of node 0 alone is
 * forgotten rather than refused (no node 0 exists).
 *
 * @example
 * ```ts
 * import { hugepagesPostParse } from "./hugepages.ts";
 * hugepagesPostParse([], 0);
 * ```
 */
export function hugepagesPostParse(sections: XmlElement[], numaCells: number): void {
  if (numaCells) return;
  for (const page of pagesOf(sections)) {
    if (page.attributes.nodeset === "0") delete page.attributes.nodeset;
  }
}

/**
 * virDomainDefMemtuneValidate: at most one page size without a node set (the master one), node
 * sets that do not overlap, and nodes the guest has.
 *
 * @example
 * ```ts
 * import { validateHugepages } from "./hugepages.ts";
 * validateHugepages([], 0); // no pages: nothing to refuse
 * ```
 */
export function validateHugepages(sections: XmlElement[], numaCells: number): void {
  const pages = pagesOf(sections).map((p) => ({
    size: p.attributes.size,
    nodes: p.attributes.nodeset === undefined ? undefined : parseBitmap(p.attributes.nodeset),
  }));
  const detail = (msg: string) => VirError.report("DOMAIN", "XML_DETAIL", msg);
  pages.forEach((page, i) => {
    for (const other of pages.slice(0, i)) {
      if (page.nodes && other.nodes && page.nodes.some((n) => other.nodes!.includes(n))) {
        throw detail(
          `nodeset attribute of hugepages of sizes ${page.size} and ${other.size} intersect`,
        );
      }
      if (!page.nodes && !other.nodes) {
        throw detail(`two master hugepages detected: ${page.size} and ${other.size}`);
      }
    }
    const missing = page.nodes?.find((n) => n >= numaCells);
    if (missing !== undefined) throw detail(`hugepages: node ${missing} not found`);
  });
}
