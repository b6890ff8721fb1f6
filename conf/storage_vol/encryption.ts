import { VirError } from "../../util/errors.ts";
import { child, children, element, type XmlElement } from "../../util/xml/mod.ts";
import { formatSecretLookup, parseSecretLookup } from "../storage_pool/mod.ts";
import { xmlPropEnum, xmlPropUInt } from "../common/mod.ts";
import type { VolEncryption } from "./model.ts";

const xmlErr = (msg: string) => VirError.report("STORAGE", "XML_ERROR", msg);
const FORMATS = ["default", "qcow", "luks", "luks2"] as const;

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
  if (!format) throw xmlErr("unknown volume encryption format");
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw VirError.report(
      "STORAGE",
      "CONFIG_UNSUPPORTED",
      `unknown volume encryption format type ${format}`,
    );
  }
  const enc: VolEncryption = { format: format as VolEncryption["format"], secrets: [] };
  const engine = xmlPropEnum(el, "engine", ["qemu", "librbd"]);
  if (engine) enc.engine = engine;
  for (const s of children(el, "secret")) {
    const type = s.attributes.type;
    if (!type) throw xmlErr("unknown volume encryption secret type");
    if (type !== "passphrase") {
      throw VirError.report(
        "STORAGE",
        "CONFIG_UNSUPPORTED",
        `unknown volume encryption secret type ${type}`,
      );
    }
    enc.secrets.push(parseSecretLookup(s, type));
  }
  // The cipher and IV generator only mean something (and are only read) for LUKS.
  if (format !== "luks") return enc;
  const cipher = child(el, "cipher");
  if (cipher) {
    const name = cipher.attributes.name;
    if (name === undefined) throw xmlErr("cipher info missing 'name' attribute");
    const size = xmlPropUInt(cipher, "size");
    if (size === undefined) {
      throw VirError.report(
        "XML",
        "XML_ERROR",
        "Missing required attribute 'size' in element 'cipher'",
      );
    }
    const { mode, hash } = cipher.attributes;
    enc.cipher = { name, size: String(size), ...(mode !== undefined ? { mode } : {}) };
    if (hash !== undefined) enc.cipher.hash = hash;
  }
  const ivgen = child(el, "ivgen");
  if (ivgen) {
    if (!enc.cipher) throw xmlErr("ivgen element found, but cipher is missing");
    const { name, hash } = ivgen.attributes;
    if (name === undefined) throw xmlErr("missing ivgen info name string");
    enc.ivgen = { name, ...(hash !== undefined ? { hash } : {}) };
  }
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
  const el = element("encryption", { format: enc.format, engine: enc.engine }, [
    ...enc.secrets.map(formatSecretLookup),
    enc.cipher && element("cipher", enc.cipher),
    enc.ivgen && element("ivgen", enc.ivgen),
  ]);
  el.keepOpen = true;
  return el;
}
