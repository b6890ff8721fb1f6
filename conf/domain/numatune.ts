/**
 * `<numatune>`: libvirt 9.0's virDomainNumatuneParseXML (with virDomainNumatuneSet's defaults)
 * and virDomainNumatuneFormatXML. The memory placement follows the vCPU placement when the
 * document leaves it open; per-cell bindings need guest NUMA cells.
 *
 * @example
 * ```ts
 * import { parseNumatune } from "./numatune.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseNumatune([parse("<numatune><memory nodeset='0-1'/></numatune>")], true, 0);
 * // <numatune><memory mode='strict' nodeset='0-1'/></numatune>
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { children, element } from "../../util/xml/mod.ts";
import { xmlPropEnum, xmlPropUInt } from "../common/mod.ts";
import { formatBitmap, parseBitmap } from "./bitmap.ts";

const MODES = ["strict", "preferred", "interleave", "restrictive"];
const PLACEMENTS = ["default", "static", "auto"];

const unsupported = (msg: string) => VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", msg);
const xmlError = (msg: string) => VirError.report("DOMAIN", "XML_ERROR", msg);

/** A node set that must select something (virBitmapParse, then virBitmapIsAllClear). */
function nodeset(text: string): string {
  const members = parseBitmap(text);
  if (!members.length) throw unsupported(`Invalid value of 'nodeset': ${text}`);
  return formatBitmap(members);
}

/** The parsed `<numatune>`: what libvirt writes back, and whether memory placement is auto. */
export interface Numatune {
  element?: XmlElement;
  placementAuto: boolean;
}

/**
 * Parses the `<numatune>` elements of a domain whose vCPU placement is static or not
 * (`placementStatic`) and which has `cells` guest NUMA cells.
 */
export function parseNumatune(
  els: XmlElement[],
  placementStatic: boolean,
  cells: number,
): Numatune {
  if (els.length > 1) throw xmlError("only one numatune is supported");
  const node = children(els[0], "memory")[0];
  let mode = node?.attributes.mode;
  let placement = node?.attributes.placement ?? (!placementStatic && !node ? "auto" : undefined);
  if (mode !== undefined && !MODES.includes(mode)) {
    throw unsupported(`Unsupported NUMA memory tuning mode '${mode}'`);
  }
  if (node?.attributes.placement !== undefined && !PLACEMENTS.includes(placement!)) {
    throw unsupported(`Unsupported NUMA memory placement mode '${placement}'`);
  }
  let nodes = node?.attributes.nodeset === undefined ? undefined : nodeset(node.attributes.nodeset);
  let memory: XmlElement | undefined;
  if (mode !== undefined || placement !== undefined || nodes !== undefined) {
    mode ??= "strict";
    if ((placement ?? "default") === "default") {
      placement = nodes !== undefined || placementStatic ? "static" : "auto";
    }
    if (placement === "static" && nodes === undefined) {
      throw unsupported("nodeset for NUMA memory tuning must be set if 'placement' is 'static'");
    }
    // An automatic placement drops a given node set.
    if (placement === "auto") nodes = undefined;
    memory = element(
      "memory",
      placement === "static" ? { mode, nodeset: nodes } : { mode, placement },
    );
  }
  const memnodes = parseMemnodes(children(els[0], "memnode"), memory, cells);
  if (!memory && !memnodes.length) return { placementAuto: false };
  return {
    element: element("numatune", {}, [memory, ...memnodes]),
    placementAuto: memory?.attributes.placement === "auto",
  };
}

/** virDomainNumatuneNodeParseXML: one binding per existing cell, written in cell order. */
function parseMemnodes(
  els: XmlElement[],
  memory: XmlElement | undefined,
  cells: number,
): XmlElement[] {
  if (!els.length) return [];
  if (memory?.attributes.placement === "auto") {
    throw unsupported("Per-node binding is not compatible with automatic NUMA placement.");
  }
  if (!cells) throw xmlError("Element 'memnode' is invalid without any guest NUMA cells");
  const byCell = new Map<number, XmlElement>();
  for (const el of els) {
    const cellid = xmlPropUInt(el, "cellid");
    if (cellid === undefined) {
      throw VirError.report(
        "XML",
        "XML_ERROR",
        "Missing required attribute 'cellid' in element 'memnode'",
      );
    }
    if (cellid >= cells) {
      throw xmlError(
        "Argument 'cellid' in memnode element must correspond to existing guest's NUMA cell",
      );
    }
    if (byCell.has(cellid)) throw xmlError(`Multiple memnode elements with cellid ${cellid}`);
    const mode = xmlPropEnum(el, "mode", MODES) ?? "strict";
    if (memory?.attributes.mode === "restrictive" && mode !== "restrictive") {
      throw xmlError(
        "'restrictive' mode is required in memnode element when mode is 'restrictive' in " +
          "memory element",
      );
    }
    const text = el.attributes.nodeset;
    if (text === undefined) throw xmlError("Missing required nodeset attribute in memnode element");
    byCell.set(cellid, element("memnode", { cellid, mode, nodeset: nodeset(text) }));
  }
  return [...byCell].sort((a, b) => a[0] - b[0]).map(([, el]) => el);
}
