/**
 * `<idmap>`: the user-namespace maps of a container (virDomainIdmapDefParseXML and
 * virDomainDefIdMapValidate).
 *
 * @example
 * ```ts
 * import { parseIdmap } from "./idmap.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * const el = parseIdmap([parse(
 *   "<idmap><uid start='10' target='1' count='1'/><uid start='0' target='5' count='1'/></idmap>",
 * )]);
 * // the uid entries come back sorted by start: 0 first
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { children } from "../../util/xml/mod.ts";
import { parseUInt } from "../common/mod.ts";

const FIELDS = ["start", "target", "count"] as const;

/**
 * The normalised `<idmap>` of all the document's ones (libvirt reads `./idmap/uid` and
 * `./idmap/gid`): every entry needs three unsigned numbers, and each list is sorted by start as
 * libvirt stores it. Undefined when there is no entry.
 */
export function parseIdmap(els: XmlElement[]): XmlElement | undefined {
  const list = (name: string) =>
    els.flatMap((el) => children(el, name))
      .map((e) => {
        const values = FIELDS.map((f) => parseUInt(e.attributes[f]));
        if (values.some((v) => v === undefined)) {
          throw VirError.report("DOMAIN", "XML_ERROR", "invalid idmap start/target/count settings");
        }
        return values as number[];
      })
      .sort((a, b) => a[0] - b[0])
      .map(([start, target, count]): XmlElement => ({
        type: "element",
        name,
        attributes: { start: String(start), target: String(target), count: String(count) },
        children: [],
      }));
  const kids = [...list("uid"), ...list("gid")];
  return kids.length
    ? { type: "element", name: "idmap", attributes: {}, children: kids }
    : undefined;
}

/** virDomainDefIdMapValidate: both maps or none, and each must map the container's root. */
export function validateIdmap(idmap: XmlElement | undefined): void {
  const uid = children(idmap, "uid");
  const gid = children(idmap, "gid");
  if (!uid.length !== !gid.length) {
    throw VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", "uid and gid should be mapped both");
  }
  if (
    uid[0]?.attributes.start !== undefined && uid[0].attributes.start !== "0" ||
    gid[0]?.attributes.start !== undefined && gid[0].attributes.start !== "0"
  ) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      "You must map the root user of container",
    );
  }
}
