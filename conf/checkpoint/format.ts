/**
 * Formatting checkpoint definitions like libvirt 9.0's virDomainCheckpointDefFormat.
 *
 * @module
 */
import { escapeXml } from "../../util/xml/mod.ts";
import { formatMomentDomain, formatMomentParentAndTime } from "../common/moment.ts";
import type { CheckpointDef } from "./def.ts";

/**
 * The checkpoint document; `noDomain` leaves the captured domain out, `secure` keeps its
 * passwords, `sizes` gives the dirty bytes of a bitmap disk by name (XML_SIZE).
 *
 * @example
 * ```ts
 * import { formatCheckpointXML } from "./format.ts";
 * formatCheckpointXML({ name: "c", creationTime: 5, disks: [] }, { noDomain: true });
 * ```
 */
export function formatCheckpointXML(
  def: CheckpointDef,
  options: { noDomain?: boolean; secure?: boolean; sizes?: ReadonlyMap<string, number> } = {},
): string {
  let out = `<domaincheckpoint>\n  <name>${escapeXml(def.name)}</name>\n`;
  if (def.description !== undefined) {
    out += `  <description>${escapeXml(def.description)}</description>\n`;
  }
  out += formatMomentParentAndTime(def);
  if (def.disks.length) {
    out += "  <disks>\n";
    for (const d of def.disks) {
      const kind = d.checkpoint ? ` checkpoint='${d.checkpoint}'` : "";
      const size = options.sizes?.get(d.name);
      const bitmap = d.bitmap === undefined ? "" : ` bitmap='${escapeXml(d.bitmap)}'` +
        (size === undefined ? "" : ` size='${size}'`);
      out += `    <disk name='${escapeXml(d.name)}'${kind}${bitmap}/>\n`;
    }
    out += "  </disks>\n";
  }
  if (def.dom && !options.noDomain) out += formatMomentDomain(def.dom, options.secure ?? false);
  return out + "</domaincheckpoint>\n";
}
