/**
 * Parsing `<domaincheckpoint>` documents like libvirt 9.0's virDomainCheckpointDefParseString.
 *
 * @module
 */
import { child, children, parse } from "../../util/xml/mod.ts";
import { type MomentParseOptions, parseMomentCommon, parseMomentDomain } from "../common/moment.ts";
import type { CheckpointDef } from "./def.ts";
import { validateCheckpointSchema } from "./rng_schema.ts";

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
  // libvirt always checks the schema (with the embedded domain's) before anything is read.
  validateCheckpointSchema(root);
  const def: CheckpointDef = { ...parseMomentCommon(root, "checkpoint", F, options), disks: [] };
  if (options.redefine) {
    const dom = child(root, "domain");
    if (dom) def.dom = parseMomentDomain(dom, options);
  }
  const disks = children(child(root, "disks"));
  // A disk without a checkpoint attribute gets a bitmap.
  def.disks = disks.map((el) => ({
    name: el.attributes.name!,
    checkpoint: el.attributes.checkpoint === "no" ? "no" : "bitmap",
    ...(el.attributes.bitmap !== undefined ? { bitmap: el.attributes.bitmap } : {}),
  }));
  return def;
}
