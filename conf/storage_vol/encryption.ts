import { VirError } from "../../util/errors.ts";
import { child, children, element, type XmlElement } from "../../util/xml/mod.ts";
import { formatSecretLookup, parseSecretLookup } from "../storage_pool/mod.ts";
import type { VolEncryption } from "./model.ts";

const xmlErr = (msg: string) => VirError.report("STORAGE", "XML_ERROR", msg);

/**
 * libvirt's virStorageEncryptionParseNode.
 *
 * @example
 * ```ts
 * import { parseVolEncryption } from "./encryption.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseVolEncryption(parse("<encryption format='qcow'><secret type='passphrase' usage='u'/></encryption>"))
 *   .secrets.length; // 1
 * ```
 */
export function parseVolEncryption(el: XmlElement): VolEncryption {
  const format = el.attributes.format;
  if (format === undefined) throw xmlErr("unknown volume encryption format");
  if (format !== "default" && format !== "qcow" && format !== "luks") {
    throw xmlErr(`unknown volume encryption format type ${format}`);
  }
  const enc: VolEncryption = { format, secrets: [] };
  for (const s of children(el, "secret")) {
    const type = s.attributes.type;
    if (type === undefined) throw xmlErr("unknown volume encryption secret type");
    if (type !== "passphrase") throw xmlErr(`unknown volume encryption secret type ${type}`);
    enc.secrets.push(parseSecretLookup(s, type));
  }
  const cipher = child(el, "cipher");
  if (cipher) enc.cipher = { ...cipher.attributes };
  const ivgen = child(el, "ivgen");
  if (ivgen) enc.ivgen = { ...ivgen.attributes };
  return enc;
}

/**
 * libvirt's virStorageEncryptionFormat.
 *
 * @example
 * ```ts
 * import { formatVolEncryption } from "./encryption.ts";
 * formatVolEncryption({ format: "qcow", secrets: [] }).attributes.format; // "qcow"
 * ```
 */
export function formatVolEncryption(enc: VolEncryption): XmlElement {
  const el = element("encryption", { format: enc.format }, [
    ...enc.secrets.map(formatSecretLookup),
    enc.cipher && element("cipher", enc.cipher),
    enc.ivgen && element("ivgen", enc.ivgen),
  ]);
  el.keepOpen = true;
  return el;
}
