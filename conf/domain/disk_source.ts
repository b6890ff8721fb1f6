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
import { nvmeSource } from "../common/disk_source.ts";
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
  return normalizeElement(source, "disk", options, "devices")!;
}
