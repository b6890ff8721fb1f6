/**
 * libvirt 9.0's virDomainControllerInsertPreAlloced, as the parser adds each controller: after
 * the controllers of its type with a lower index, before those with a higher one, a master
 * before its USB companions of the same index; one without an index after the last of its type.
 *
 * @example
 * ```ts
 * import { insertControllers } from "./controller_order.ts";
 * import { element } from "../../util/xml/mod.ts";
 * const [a, b] = [element("controller", { type: "pci", index: "2" }), element("controller", { type: "pci", index: "1" })];
 * insertControllers([a, b]); // [b, a]
 * ```
 * @module
 */
import { child, type XmlElement } from "../../util/xml/mod.ts";

/**
 * The controllers in the order libvirt's parser keeps them, given in document order.
 *
 * @example
 * ```ts
 * import { insertControllers } from "./controller_order.ts";
 * import { element } from "../../util/xml/mod.ts";
 * const ide = element("controller", { type: "ide", index: "1" });
 * const ide0 = element("controller", { type: "ide", index: "0" });
 * insertControllers([ide, ide0]); // [ide0, ide]
 * ```
 */
export function insertControllers(parsed: XmlElement[]): XmlElement[] {
  const list: XmlElement[] = [];
  for (const c of parsed) {
    const idx = c.attributes.index === undefined ? -1 : Number(c.attributes.index);
    const master = child(c, "master") !== undefined;
    let at = -1;
    for (let i = list.length - 1; i >= 0; i--) {
      const cur = list[i];
      if (cur.attributes.type !== c.attributes.type) continue;
      const curIdx = cur.attributes.index === undefined ? -1 : Number(cur.attributes.index);
      if (idx === -1) {
        at = i + 1;
        break;
      }
      if (curIdx > idx) at = i;
      else if (!master && child(cur, "master") !== undefined && curIdx === idx) at = i;
      else if (at === -1) at = i + 1;
    }
    if (at === -1) list.push(c);
    else list.splice(at, 0, c);
  }
  return list;
}
