/**
 * `<keywrap>`: the s390 key-wrapping ciphers (virDomainKeyWrapDefParseXML and its formatter).
 *
 * @example
 * ```ts
 * import { parseKeywrap } from "./keywrap.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseKeywrap([parse("<keywrap><cipher name='dea' state='on'/><cipher name='aes' state='off'/></keywrap>")]);
 * // <keywrap> with aes first, then dea
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { children, element } from "../../util/xml/mod.ts";
import { xmlPropEnum } from "../common/mod.ts";

const CIPHERS = ["aes", "dea"] as const;

/**
 * The ciphers of every `<keywrap>` (libvirt reads `./keywrap/cipher`): each name at most once,
 * written aes first. Undefined when none is set.
 */
export function parseKeywrap(els: XmlElement[]): XmlElement | undefined {
  const states = new Map<string, string>();
  for (const c of els.flatMap((k) => children(k, "cipher"))) {
    const name = xmlPropEnum(c, "name", CIPHERS, true)!;
    const state = xmlPropEnum(c, "state", ["on", "off"], true)!;
    if (states.has(name)) {
      throw VirError.report(
        "DOMAIN",
        "INTERNAL_ERROR",
        `A domain definition can have no more than one cipher node with name ${name}`,
      );
    }
    states.set(name, state);
  }
  if (!states.size) return undefined;
  return element(
    "keywrap",
    {},
    CIPHERS.filter((n) => states.has(n)).map((name) =>
      element("cipher", { name, state: states.get(name) })
    ),
  );
}
