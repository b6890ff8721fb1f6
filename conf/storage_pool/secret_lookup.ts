import { VirError } from "../../util/errors.ts";
import { element, type XmlElement } from "../../util/xml/mod.ts";
import { parseUUID } from "../common/mod.ts";
import type { SecretLookup } from "./model.ts";

/**
 * libvirt's virSecretLookupParseSecret: exactly one of `uuid` and `usage`.
 *
 * @example
 * ```ts
 * import { parseSecretLookup } from "./secret_lookup.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseSecretLookup(parse("<secret usage='x'/>")).usage; // "x"
 * ```
 */
export function parseSecretLookup(el: XmlElement, type?: string): SecretLookup {
  // util/virsecret.c reports from VIR_FROM_NONE.
  const fail = (msg: string) => VirError.report("NONE", "XML_ERROR", msg);
  const { uuid, usage } = el.attributes;
  if (uuid === undefined && usage === undefined) {
    throw fail("missing secret uuid or usage attribute");
  }
  if (uuid !== undefined && usage !== undefined) {
    throw fail("either secret uuid or usage expected");
  }
  if (uuid !== undefined) {
    const u = parseUUID(uuid);
    if (!u) throw fail(`invalid secret uuid '${uuid}'`);
    return { type, uuid: u };
  }
  return { type, usage };
}

/**
 * libvirt's virSecretLookupFormatSecret.
 *
 * @example
 * ```ts
 * import { formatSecretLookup } from "./secret_lookup.ts";
 * formatSecretLookup({ usage: "x" }).attributes.usage; // "x"
 * ```
 */
export function formatSecretLookup(s: SecretLookup): XmlElement {
  return element("secret", { type: s.type, uuid: s.uuid, usage: s.uuid ? undefined : s.usage });
}
