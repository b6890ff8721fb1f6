/**
 * A disk's (or a backing chain member's) `<source>` as libvirt writes it back, by storage type:
 * NVMe and vhost-user sources have their own parsers; the others keep the attributes and
 * children the domain schema table lists for a disk source.
 *
 * @example
 * ```ts
 * import { diskSourceElement } from "./disk_source.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * diskSourceElement("file", parse("<source file='/a.img'/>"), {}).attributes; // { file: "/a.img" }
 * ```
 * @module
 */
import type { XmlElement } from "../../util/xml/mod.ts";
import { NETWORK_PARTS, nvmeSource } from "../common/disk_source.ts";
import { parseULongLong } from "../common/units.ts";
import { vhostUserSource } from "./disk_vhostuser.ts";
import { normalizeElement, type NormalizeOptions } from "./normalize.ts";

/** The canonical `source` of storage type `type` (checked already by checkDiskSource). */
export function diskSourceElement(
  type: string | undefined,
  source: XmlElement,
  options: NormalizeOptions,
): XmlElement {
  if (type === "nvme") return nvmeSource(source);
  if (type === "vhostuser") return vhostUserSource(source);
  const out = normalizeElement(source, "disk", options, "devices")!;
  if (type === "network") networkParts(out);
  return out;
}

/**
 * The protocol-specific parts of a network source as virDomainDiskSourceFormat writes them:
 * only for the protocols that read them, numbers as numbers, a zero read-ahead or timeout not
 * at all (and the cookies only in a secure dump, which this is not).
 */
function networkParts(source: XmlElement): void {
  const parts = NETWORK_PARTS[source.attributes.protocol ?? ""] ?? [];
  if (!parts.includes("query")) delete source.attributes.query;
  source.children = source.children.filter((c) => {
    if (c.type !== "element") return true;
    if (c.name === "cookies") return false;
    if (c.name === "ssl") return parts.includes("ssl") && c.attributes.verify !== undefined;
    // virDomainDiskSourceNetworkParse reads `<config file>` whatever the protocol.
    if (c.name === "config") return c.attributes.file !== undefined;
    const attr = c.name === "readahead" ? "size" : c.name === "timeout" ? "seconds" : undefined;
    if (!attr) return true;
    const n = parts.includes("readahead") ? parseULongLong(c.attributes[attr] ?? "") : undefined;
    if (!n) return false;
    c.attributes = { [attr]: String(n) };
    return true;
  });
}
