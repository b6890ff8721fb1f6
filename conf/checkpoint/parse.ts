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

/** The schema's diskTargetDev (domaincommon.rng) or absFilePath (basictypes.rng). */
const DISK_NAME = /^(?:(?:ioemu:)?(?:fd|hd|sd|vd|xvd|ubd)[a-zA-Z0-9_]+|(?:\/|[a-zA-Z]:\\).+)$/;

/** diskcheckpoint: a disk name, then `checkpoint='no'` alone or a bitmap with its size. */
function validDisk(d: XmlElement): boolean {
  const { name, checkpoint, bitmap, size, ...rest } = d.attributes;
  const empty = !elementKids(d).length && !(textOf(d) ?? "").trim();
  if (d.name !== "disk" || Object.keys(rest).length || !empty) return false;
  if (name === undefined || !DISK_NAME.test(name)) return false;
  if (checkpoint === "no") return bitmap === undefined && size === undefined;
  return [undefined, "bitmap"].includes(checkpoint) &&
    (size === undefined || (/^[0-9]+$/.test(size) && BigInt(size) < 2n ** 64n));
}

/**
 * domaincheckpoint.rng's interleave, in its order, with what each member must hold (the
 * embedded domain by domain.rng's own table).
 */
const MEMBERS: [string, (e: XmlElement) => boolean][] = [
  ["name", (e) => textElement(e, (t) => CHECKPOINT_NAME.test(t))],
  ["description", (e) => textElement(e, () => true)],
  ["creationTime", (e) => textElement(e, (t) => /^[ \t\n\r]*\+?[0-9]+[ \t\n\r]*$/.test(t))],
  [
    "disks",
    (e) =>
      !Object.keys(e.attributes).length && elementKids(e).length > 0 &&
      elementKids(e).every(validDisk),
  ],
  ["domain", matchesDomainSchema],
  [
    "parent",
    (e) => {
      const kids = elementKids(e);
      return !Object.keys(e.attributes).length && kids.length === 1 &&
        kids[0].name === "name" && textElement(kids[0], (t) => CHECKPOINT_NAME.test(t));
    },
  ],
];

/**
 * libvirt always validates checkpoint documents against domaincheckpoint.rng, and libxml2
 * reports as its interleave runs: children are sorted into members up to the first unknown
 * one; each member (in the schema's order) takes its first element if that one is valid, and
 * an element it does not take is "extra" in the interleave; only then are the unknown children
 * and the attributes reported.
 */
function checkRoot(root: XmlElement): void {
  const kids = elementKids(root);
  const unknown = kids.findIndex((e) => !MEMBERS.some(([n]) => n === e.name));
  const sorted = unknown < 0 ? kids : kids.slice(0, unknown);
  for (const [name, valid] of MEMBERS) {
    const mine = sorted.filter((e) => e.name === name);
    if (mine.length > 1 || (mine.length && !valid(mine[0]))) throw schemaError(name);
  }
  if (unknown >= 0) {
    throw invalid(`Element domaincheckpoint has extra content: ${kids[unknown].name}\n`);
  }
  // Namespace declarations are not attributes to libxml2.
  const attr = Object.keys(root.attributes).find((k) => k !== "xmlns" && !k.startsWith("xmlns:"));
  if (attr !== undefined) {
    throw invalid(`Invalid attribute ${attr} for element domaincheckpoint\n`);
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
