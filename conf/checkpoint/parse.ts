/**
 * Parsing `<domaincheckpoint>` documents like libvirt 9.0's virDomainCheckpointDefParseString.
 *
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { child, children, parse, textOf, type XmlElement } from "../../util/xml/mod.ts";
import { type MomentParseOptions, parseMomentCommon, parseMomentDomain } from "../common/moment.ts";
import { matchesDomainSchema } from "../domain/parse.ts";
import type { CheckpointDef } from "./def.ts";

const F = "DOMAIN_CHECKPOINT";

/**
 * libvirt always validates checkpoint documents against domaincheckpoint.rng; of that schema,
 * this checks the disk entries (a name, `checkpoint` of `no` or `bitmap`), whose violations
 * libvirt reports as an extra `<disks>` in the root's interleave.
 */
function checkDisks(disks: XmlElement[]): void {
  const ok = disks.every((d) =>
    d.name === "disk" && d.attributes.name !== undefined &&
    [undefined, "no", "bitmap"].includes(d.attributes.checkpoint)
  );
  if (!ok) throw schemaError("disks");
}

/** How libvirt (libxml2) reports a document domaincheckpoint.rng refuses. */
function invalid(detail: string): VirError {
  return VirError.report(
    "XML",
    "XML_INVALID_SCHEMA",
    `Unable to validate doc against /usr/share/libvirt/schemas/domaincheckpoint.rng\n${detail}`,
  );
}

/** How libvirt reports an invalid child of the root's interleave. */
function schemaError(element: string): VirError {
  return invalid(
    `Extra element ${element} in interleave\nElement domaincheckpoint failed to validate content\n`,
  );
}

/** The schema's checkpointName: no leading dot, no slash, no blank. */
const CHECKPOINT_NAME = /^[a-zA-Z0-9_\-][a-zA-Z0-9_\-.]*$/;

const elementKids = (el: XmlElement) =>
  el.children.filter((c): c is XmlElement => c.type === "element");

/** A text-only element without attributes whose text passes `ok`. */
const textElement = (el: XmlElement, ok: (text: string) => boolean) =>
  !Object.keys(el.attributes).length && !elementKids(el).length && ok(textOf(el) ?? "");

/** The root's own part of domaincheckpoint.rng (the embedded domain and disks apart). */
function checkRoot(root: XmlElement): void {
  const attr = Object.keys(root.attributes)[0];
  if (attr !== undefined) {
    throw invalid(`Invalid attribute ${attr} for element domaincheckpoint\n`);
  }
  const seen = new Set<string>();
  for (const el of elementKids(root)) {
    const known: Record<string, (e: XmlElement) => boolean> = {
      name: (e) => textElement(e, (t) => CHECKPOINT_NAME.test(t)),
      description: (e) => textElement(e, () => true),
      creationTime: (e) => textElement(e, (t) => /^[ \t\n\r]*\+?[0-9]+[ \t\n\r]*$/.test(t)),
      parent: (e) => {
        const kids = elementKids(e);
        return !Object.keys(e.attributes).length && kids.length === 1 &&
          kids[0].name === "name" && textElement(kids[0], (t) => CHECKPOINT_NAME.test(t));
      },
      disks: () => true,
      domain: () => true,
    };
    const check = known[el.name];
    if (!check) throw invalid(`Element domaincheckpoint has extra content: ${el.name}\n`);
    if (seen.has(el.name) || !check(el)) throw schemaError(el.name);
    seen.add(el.name);
  }
}

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
  // The schema (with the embedded domain's) is checked before anything is read.
  checkRoot(root);
  const embedded = child(root, "domain");
  if (embedded && !matchesDomainSchema(embedded)) throw schemaError("domain");
  const def: CheckpointDef = { ...parseMomentCommon(root, "checkpoint", F, options), disks: [] };
  if (options.redefine) {
    const dom = child(root, "domain");
    if (dom) def.dom = parseMomentDomain(dom, options);
  }
  const disks = children(child(root, "disks"));
  checkDisks(disks);
  // A disk without a checkpoint attribute gets a bitmap.
  def.disks = disks.map((el) => ({
    name: el.attributes.name!,
    checkpoint: el.attributes.checkpoint === "no" ? "no" : "bitmap",
    ...(el.attributes.bitmap !== undefined ? { bitmap: el.attributes.bitmap } : {}),
  }));
  return def;
}
