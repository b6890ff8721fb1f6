import { z } from "zod";
import { VirError } from "../../util/errors.ts";
import { children, element, type XmlElement } from "../../util/xml/mod.ts";
import { xmlPropEnum, xmlPropUInt } from "./values.ts";

/** `<vlan>`: tags, trunk mode and the optional native tag (virNetDevVlan). */
export const VlanSchema = z.strictObject({
  trunk: z.boolean(),
  tags: z.array(z.number().int()),
  nativeMode: z.enum(["tagged", "untagged"]).optional(),
  nativeTag: z.number().int().optional(),
});
/** A `<vlan>` definition. */
export type Vlan = z.infer<typeof VlanSchema>;

/**
 * libvirt's virNetDevVlanParse, with its error messages (XML_ERROR from VIR_FROM_NONE, as all
 * of netdev_vlan_conf.c's).
 *
 * @example
 * ```ts
 * import { parseVlan } from "./vlan.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseVlan(parse("<vlan><tag id='42'/></vlan>")).tags; // [42]
 * ```
 */
export function parseVlan(el: XmlElement): Vlan {
  const fail = (msg: string) => VirError.report("NONE", "XML_ERROR", msg);
  const tagEls = children(el, "tag");
  if (!tagEls.length) {
    throw fail("missing tag id - each <vlan> must have at least one <tag id='n'/> subelement");
  }
  const vlan: Vlan = { trunk: tagEls.length > 1, tags: [] };
  for (const t of tagEls) {
    // virXMLPropUInt: its errors are util/virxml.c's (VIR_FROM_XML).
    const id = xmlPropUInt(t, "id", undefined, { required: true })!;
    if (id > 4095) throw fail(`vlan tag id ${id} too large (maximum 4095)`);
    const mode = xmlPropEnum(t, "nativeMode", ["tagged", "untagged"] as const);
    if (mode !== undefined) {
      if (vlan.nativeMode !== undefined) throw fail("duplicate native vlan setting");
      vlan.nativeMode = mode;
      vlan.nativeTag = id;
    }
    vlan.tags.push(id);
  }
  const trunk = el.attributes.trunk;
  if (trunk !== undefined) {
    vlan.trunk = trunk.toLowerCase() === "yes";
    if (!vlan.trunk) {
      if (tagEls.length > 1) {
        throw fail(
          `invalid "trunk='${trunk}'" in <vlan> - trunk='yes' is required for more than one vlan tag`,
        );
      }
      if (vlan.nativeMode !== undefined) {
        throw fail(
          `invalid configuration in <vlan> - "trunk='no'" is not allowed with a native vlan id`,
        );
      }
      if (trunk.toLowerCase() !== "no") {
        throw fail(`invalid "trunk='${trunk}'" in <vlan> - must be yes or no`);
      }
    }
  }
  return vlan;
}

/**
 * libvirt's virNetDevVlanFormat.
 *
 * @example
 * ```ts
 * import { formatVlan } from "./vlan.ts";
 * formatVlan({ trunk: false, tags: [42] }).children.length; // 1
 * ```
 */
export function formatVlan(vlan: Vlan): XmlElement {
  return element(
    "vlan",
    { trunk: vlan.trunk ? "yes" : undefined },
    vlan.tags.map((id) =>
      element("tag", {
        id,
        nativeMode: vlan.nativeMode !== undefined && id === vlan.nativeTag
          ? vlan.nativeMode
          : undefined,
      })
    ),
  );
}
