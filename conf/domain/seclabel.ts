/**
 * The domain's `<seclabel>` elements (virSecurityLabelDefsParseXML for a definition parsed
 * inactive, and virSecurityLabelDefFormat): the label type decides the relabel default and
 * which labels are kept; a label of the default type is not written at all.
 *
 * @example
 * ```ts
 * import { parseSeclabels } from "./seclabel.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseSeclabels([parse("<seclabel type='static' model='dac'><label>0:0</label></seclabel>")]);
 * // [<seclabel type='static' model='dac' relabel='no'><label>0:0</label></seclabel>]
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { children, childText, element } from "../../util/xml/mod.ts";
import { parseYesNo, xmlPropEnum } from "../common/mod.ts";

/** VIR_SECURITY_MODEL_BUFLEN - 1 and VIR_SECURITY_LABEL_BUFLEN - 1. */
const MODEL_MAX = 256;
const LABEL_MAX = 4096;

const fits = (s: string | undefined, max: number) =>
  s !== undefined && new TextEncoder().encode(s).length <= max;

interface Label {
  model?: string;
  type: string;
  baselabel?: string;
  out?: XmlElement;
}

function parseOne(el: XmlElement): Label {
  const raw = el.attributes.model;
  const model = fits(raw, MODEL_MAX) ? raw : undefined;
  let type = xmlPropEnum(el, "type", ["none", "dynamic", "static"]) ?? "default";
  let relabel = type !== "static" && type !== "none";
  relabel = parseYesNo(el.attributes.relabel, "XML", "relabel", "seclabel") ?? relabel;
  if (type === "dynamic" && !relabel) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      "dynamic label type must use resource relabeling",
    );
  }
  if (type === "none" && relabel) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      "resource relabeling is not compatible with 'none' label type",
    );
  }
  // Older configurations said model='none' for no labelling at all.
  if (model === "none") type = "none";
  // The default type is what the security driver picks on start: nothing to write.
  if (type === "default") return { model, type };
  if (type === "none") return { model, type, out: element("seclabel", { type, model }) };
  const kids: XmlElement[] = [];
  let baselabel: string | undefined;
  if (type === "static") {
    const label = childText(el, "label");
    if (!label || !fits(label, LABEL_MAX)) {
      throw VirError.report("DOMAIN", "XML_ERROR", "security label is missing");
    }
    kids.push(element("label", {}, [label]));
  } else {
    const base = childText(el, "baselabel");
    if (base && fits(base, LABEL_MAX)) {
      baselabel = base;
      kids.push(element("baselabel", {}, [base]));
    }
  }
  return {
    model,
    type,
    baselabel,
    out: element("seclabel", { type, model, relabel: relabel ? "yes" : "no" }, kids),
  };
}

/**
 * The `<seclabel>` elements libvirt keeps and writes, in document order. `defSecModel`: the
 * driver's first security model (libvirt's xmlopt defSecModel), which a lone label without a
 * model takes when it is of type none or a dynamic one without a base label; `none` makes it
 * a label of type none.
 */
export function parseSeclabels(els: XmlElement[], defSecModel?: string): XmlElement[] {
  const labels: Label[] = [];
  for (const el of els) {
    const label = parseOne(el);
    if (labels.some((l) => l.model === label.model)) {
      throw VirError.report(
        "DOMAIN",
        "XML_DETAIL",
        `seclabel for model ${label.model ?? "(null)"} is already provided`,
      );
    }
    labels.push(label);
  }
  const lone = labels.length === 1 && labels[0].model === undefined ? labels[0] : undefined;
  if (lone && defSecModel !== undefined) {
    if (lone.type !== "none" && (lone.type !== "dynamic" || lone.baselabel !== undefined)) {
      throw VirError.report("DOMAIN", "XML_ERROR", "missing security model in domain seclabel");
    }
    lone.out = defSecModel === "none" ? element("seclabel", { type: "none", model: "none" }) : {
      ...lone.out!,
      attributes: { type: lone.type, model: defSecModel, relabel: lone.out!.attributes.relabel },
    };
  }
  if (labels.length > 1 && labels.some((l) => l.model === undefined)) {
    throw VirError.report(
      "DOMAIN",
      "XML_ERROR",
      "missing security model when using multiple labels",
    );
  }
  return labels.flatMap((l) => l.out ?? []);
}

/**
 * virSecurityDeviceLabelDefParseXML and virSecurityDeviceLabelDefFormat: the `<seclabel>`
 * overrides in a disk's (or chain member's) or character device's `<source>`, as libvirt writes
 * them back. In an inactive definition an override that relabels without naming a label says
 * nothing the domain's label does not, so it is not written; a running domain's status (`live`)
 * keeps every one, and `labelskip`.
 *
 * @example
 * ```ts
 * import { parseDeviceSeclabels } from "./seclabel.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseDeviceSeclabels(parse("<source path='/f'><seclabel model='dac' relabel='no'/></source>"));
 * // [<seclabel model='dac' relabel='no'/>]
 * ```
 */
export function parseDeviceSeclabels(source: XmlElement, live = false): XmlElement[] {
  const out: XmlElement[] = [];
  const models: (string | undefined)[] = [];
  for (const el of children(source, "seclabel")) {
    const model = el.attributes.model;
    if (model !== undefined && models.includes(model)) {
      throw VirError.report(
        "DOMAIN",
        "XML_DETAIL",
        `seclabel for model ${model} is already provided`,
      );
    }
    models.push(model);
    const relabel = parseYesNo(el.attributes.relabel, "XML", "relabel", "seclabel") ?? true;
    const text = childText(el, "label");
    const label = text && fits(text, LABEL_MAX) ? text : undefined;
    if (label && !relabel) {
      throw VirError.report(
        "DOMAIN",
        "XML_ERROR",
        `Cannot specify a label if relabelling is turned off. model=${model ?? "<null>"}`,
      );
    }
    if (!live && !label && relabel) continue;
    const labelskip = live &&
      parseYesNo(el.attributes.labelskip, "XML", "labelskip", "seclabel") === true;
    const attrs = labelskip
      ? { model, labelskip: "yes" }
      : { model, relabel: relabel ? "yes" : "no" };
    out.push(element("seclabel", attrs, label ? [element("label", {}, [label])] : []));
  }
  return out;
}
