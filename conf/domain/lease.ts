/**
 * A domain's `<lease>` (virDomainLeaseDefParseXML / virDomainLeaseDefFormat): a lock manager
 * lease, its key, lockspace and target.
 *
 * @example
 * ```ts
 * import { parseLease } from "./lease.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseLease(parse("<lease><lockspace>s</lockspace><key>k</key><target path='/p'/></lease>"));
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { child, element, type XmlElement } from "../../util/xml/mod.ts";
import { parseULongLong } from "../common/units.ts";
import { xpathString } from "../common/values.ts";

const xmlError = (msg: string) => VirError.report("DOMAIN", "XML_ERROR", msg);

/** The lease as libvirt formats it, after libvirt's checks in its order. */
export function parseLease(el: XmlElement): XmlElement {
  const key = xpathString(el, "key");
  if (key === undefined) throw xmlError("Missing 'key' element for lease");
  const lockspace = xpathString(el, "lockspace");
  // libvirt fails here without reporting why: the API's generic error is what callers see.
  if (lockspace === undefined) {
    throw VirError.bare("NONE", "INTERNAL_ERROR", "An error occurred, but the cause is unknown");
  }
  const target = child(el, "target");
  if (!target) throw xmlError("Missing 'target' element for lease");
  const path = target.attributes.path;
  if (path === undefined) {
    throw xmlError("Missing 'path' attribute to 'target' element for lease");
  }
  const text = target.attributes.offset;
  const offset = text === undefined ? 0n : parseULongLong(text);
  if (offset === undefined) {
    throw VirError.report(
      "XML",
      "XML_ERROR",
      `Invalid value for attribute 'offset' in element 'target': '${text}'. ` +
        "Expected non-negative integer value",
    );
  }
  return element("lease", {}, [
    element("lockspace", {}, [lockspace]),
    element("key", {}, [key]),
    element("target", { path, offset: offset ? String(offset) : undefined }),
  ]);
}
