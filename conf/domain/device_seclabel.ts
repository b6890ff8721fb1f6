/**
 * A device source's `<seclabel>` overrides (a disk's, a chain member's):
 * virSecurityDeviceLabelDefParseXML and virSecurityDeviceLabelDefFormat. One label per model,
 * relabelling on unless said otherwise, no label when relabelling is off; an inactive
 * definition keeps no `labelskip` and writes nothing for a relabelled source without a label.
 *
 * @example
 * ```ts
 * import { parseDeviceSeclabels } from "./device_seclabel.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseDeviceSeclabels(parse("<source><seclabel model='dac' relabel='no'/></source>"), false);
 * // [<seclabel model='dac' relabel='no'/>]
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { children, childText, element, type XmlElement } from "../../util/xml/mod.ts";
import { xmlPropEnum } from "../common/mod.ts";

/** VIR_SECURITY_LABEL_BUFLEN - 1: a longer label is not kept. */
const LABEL_MAX = 4096;

/**
 * The `<seclabel>` children of `source` as libvirt writes them back (`live`: parsed from a
 * running domain's status, which keeps `labelskip`). Throws libvirt's error for a repeated
 * model or a label without relabelling.
 */
export function parseDeviceSeclabels(source: XmlElement, live: boolean): XmlElement[] {
  const models: (string | undefined)[] = [];
  return children(source, "seclabel").flatMap((el) => {
    const model = el.attributes.model;
    if (model !== undefined && models.includes(model)) {
      throw VirError.report(
        "DOMAIN",
        "XML_DETAIL",
        `seclabel for model ${model} is already provided`,
      );
    }
    models.push(model);
    const relabel = xmlPropEnum(el, "relabel", ["yes", "no"]) !== "no";
    const labelskip = live && xmlPropEnum(el, "labelskip", ["yes", "no"]) === "yes";
    const text = childText(el, "label");
    const label = text && new TextEncoder().encode(text).length <= LABEL_MAX ? text : undefined;
    if (label && !relabel) {
      throw VirError.report(
        "DOMAIN",
        "XML_ERROR",
        `Cannot specify a label if relabelling is turned off. model=${model ?? "(null)"}`,
      );
    }
    if (!live && !label && relabel) return [];
    const attrs = labelskip
      ? { model, labelskip: "yes" }
      : { model, relabel: relabel ? "yes" : "no" };
    return [element("seclabel", attrs, label ? [element("label", {}, [label])] : [])];
  });
}
