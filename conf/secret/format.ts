import { element, stringify } from "../../util/xml/mod.ts";
import type { SecretDef } from "./model.ts";

/**
 * Formats a secret like libvirt 9.0's virSecretDefFormat.
 *
 * @example
 * ```ts
 * import { formatSecretXML } from "./format.ts";
 * formatSecretXML({ uuid: "f52a81b2-424e-490c-823d-6bd4235bc572", ephemeral: false, private: true });
 * // "<secret ephemeral='no' private='yes'>\n  <uuid>f52a81b2-…</uuid>\n</secret>\n"
 * ```
 */
export function formatSecretXML(def: SecretDef, _flags = 0): string {
  const u = def.usage;
  return stringify(element("secret", {
    ephemeral: def.ephemeral ? "yes" : "no",
    private: def.private ? "yes" : "no",
  }, [
    def.uuid ? element("uuid", {}, [def.uuid]) : undefined,
    def.description !== undefined && element("description", {}, [def.description]),
    u && element("usage", { type: u.type }, [
      u.volume !== undefined && element("volume", {}, [u.volume]),
      u.name !== undefined && element("name", {}, [u.name]),
      u.target !== undefined && element("target", {}, [u.target]),
    ]),
  ]));
}
