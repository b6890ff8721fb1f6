/**
 * Formatting snapshot definitions like libvirt 9.0's virDomainSnapshotDefFormat.
 *
 * @module
 */
import { escapeXml, stringify } from "../../util/xml/mod.ts";
import { formatMomentDomain, formatMomentParentAndTime } from "../common/moment.ts";
import type { SnapshotDef, SnapshotDiskDef } from "./def.ts";

function formatDisk(disk: SnapshotDiskDef): string {
  const attrs = `name='${escapeXml(disk.name)}'` +
    (disk.snapshot ? ` snapshot='${disk.snapshot}'` : "");
  const path = disk.source?.attributes.file ?? disk.source?.attributes.dev;
  if (path === undefined && !disk.driverType) return `    <disk ${attrs}/>\n`;
  let out = `    <disk ${attrs} type='${disk.type}'>\n`;
  out += disk.driverType ? `      <driver type='${escapeXml(disk.driverType)}'/>\n` : "";
  if (disk.source) out += stringify({ ...disk.source, children: [] }, { depth: 3 });
  return out + "    </disk>\n";
}

/**
 * The snapshot document. `uuid` stands in for the domain when the snapshot has none;
 * `secure` keeps passwords of the captured domain.
 *
 * @example
 * ```ts
 * import { formatSnapshotXML } from "./format.ts";
 * formatSnapshotXML({ name: "s", creationTime: 5, disks: [], state: "shutoff" }, "", false);
 * ```
 */
export function formatSnapshotXML(def: SnapshotDef, uuid: string, secure: boolean): string {
  let out = `<domainsnapshot>\n  <name>${escapeXml(def.name)}</name>\n`;
  if (def.description !== undefined) {
    out += `  <description>${escapeXml(def.description)}</description>\n`;
  }
  if (def.state) out += `  <state>${def.state}</state>\n`;
  out += formatMomentParentAndTime(def);
  if (def.memory) {
    const file = def.memoryFile !== undefined ? ` file='${escapeXml(def.memoryFile)}'` : "";
    out += `  <memory snapshot='${def.memory}'${file}/>\n`;
  }
  if (def.disks.length) out += `  <disks>\n${def.disks.map(formatDisk).join("")}  </disks>\n`;
  if (def.dom) out += formatMomentDomain(def.dom, secure);
  else if (uuid) out += `  <domain>\n    <uuid>${uuid}</uuid>\n  </domain>\n`;
  return out + "</domainsnapshot>\n";
}
