/**
 * Parsing `<domaincheckpoint>` documents like libvirt 9.0's virDomainCheckpointDefParseString.
 *
 * @module
 */
import { child, children, parse } from "../../util/xml/mod.ts";
import { type MomentParseOptions, parseMomentCommon, parseMomentDomain } from "../common/moment.ts";
import type { CheckpointDef } from "./def.ts";

const F = "DOMAIN_CHECKPOINT";

/**
 * Parses a checkpoint document. Without `redefine`, the creation time is now and an unnamed
 * checkpoint is named after it; with it, creation time, parent and domain come from the
 * document.
 *
 * @example
 * ```ts
 * import { parseCheckpointXML } from "./parse.ts";
 * parseCheckpointXML("<domaincheckpoint><name>c</name></domaincheckpoint>", { redefine: false });
 * ```
 */
export function parseCheckpointXML(xml: string, options: MomentParseOptions): CheckpointDef {
  const root = parse(xml, {
    context: "(domain_checkpoint)",
    errorDomain: F,
    expectRoot: "domaincheckpoint",
  });
  const def: CheckpointDef = { ...parseMomentCommon(root, "checkpoint", F, options), disks: [] };
  if (options.redefine) {
    const dom = child(root, "domain");
    if (dom) def.dom = parseMomentDomain(dom, options);
  }
  // libvirt's schema only allows "none" and "bitmap"; a missing attribute means a bitmap.
  def.disks = children(child(root, "disks")).map((el) => ({
    name: el.attributes.name ?? "",
    checkpoint: el.attributes.checkpoint === "none" ? "none" : "bitmap",
    ...(el.attributes.bitmap !== undefined ? { bitmap: el.attributes.bitmap } : {}),
  }));
  return def;
}
