/**
 * An interface's `<model type>` as libvirt 9.0's virDomainNetSetModelString reads it: a model
 * libvirt knows, whatever its case, is written in libvirt's spelling; any other name is kept
 * as given when made of letters, digits, `_` and `-`.
 *
 * @example
 * ```ts
 * import { parseNetModel } from "./net_model.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseNetModel(parse("<interface type='user'><model type='ViRtIo'/></interface>")); // "virtio"
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { child, type XmlElement } from "../../util/xml/mod.ts";

/** virDomainNetModel's names; "unknown" is its unset value. */
const NET_MODELS = [
  "unknown",
  "netfront",
  "rtl8139",
  "virtio",
  "e1000",
  "e1000e",
  "virtio-transitional",
  "virtio-non-transitional",
  "usb-net",
  "spapr-vlan",
  "lan9118",
  "scm91c111",
  "vlance",
  "vmxnet",
  "vmxnet2",
  "vmxnet3",
  "Am79C970A",
  "Am79C973",
  "82540EM",
  "82545EM",
  "82543GC",
];

/** The model of interface `dev`, undefined for none; throws libvirt's error for a bad name. */
export function parseNetModel(dev: XmlElement): string | undefined {
  // virXPathString: an empty value is no value.
  const model = child(dev, "model")?.attributes.type;
  if (!model) return undefined;
  const known = NET_MODELS.find((m) => m.toLowerCase() === model.toLowerCase());
  if (known) return known === "unknown" ? undefined : known;
  if (!/^[A-Za-z0-9_-]*$/.test(model)) {
    throw VirError.report("DOMAIN", "INVALID_ARG", "Model name contains invalid characters");
  }
  return model;
}

/**
 * Whether `model` is one of the models libvirt knows (in its spelling).
 *
 * @example
 * ```ts
 * import { isKnownNetModel } from "./net_model.ts";
 * isKnownNetModel("e1000"); // true
 * ```
 */
export function isKnownNetModel(model: string): boolean {
  return model !== "unknown" && NET_MODELS.includes(model);
}
