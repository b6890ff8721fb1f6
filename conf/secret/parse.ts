import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import { child, childText, parse } from "../../util/xml/mod.ts";
import { parseUUID, xpathString } from "../common/mod.ts";
import { SECRET_USAGE_TYPES, type SecretDef } from "./model.ts";
import { validateSecretSchema } from "./rng_schema.ts";

const xmlErr = (msg: string) => VirError.report("SECRET", "XML_ERROR", msg);

/** Which child names the usage id, and libvirt's message when it is missing. */
const USAGE_ID: Record<string, ["volume" | "name" | "target", string]> = {
  volume: ["volume", "volume usage specified, but volume path is missing"],
  ceph: ["name", "Ceph usage specified, but name is missing"],
  iscsi: ["target", "iSCSI usage specified, but target is missing"],
  tls: ["name", "TLS usage specified, but name is missing"],
  vtpm: ["name", "vTPM usage specified, but name is missing"],
};

/**
 * Parses a `<secret>` document like libvirt 9.0's virSecretDefParse;
 * VIR_SECRET_DEFINE_VALIDATE in `flags` first checks the document against the schema.
 *
 * @example
 * ```ts
 * import { parseSecretXML } from "./parse.ts";
 * parseSecretXML("<secret ephemeral='no' private='yes'><usage type='ceph'><name>c</name></usage></secret>")
 *   .usage?.name; // "c"
 * ```
 */
export function parseSecretXML(xml: string, flags = 0): SecretDef {
  const root = parse(xml, {
    context: "(definition_of_secret)",
    errorDomain: "SECRET",
    expectRoot: "secret",
  });
  if (flags & VIR.SECRET_DEFINE_VALIDATE) validateSecretSchema(root);
  const yesNo = (attr: "ephemeral" | "private") => {
    // virXPathString: an empty attribute is no attribute.
    const v = root.attributes[attr] || undefined;
    if (v === undefined) return false;
    if (v !== "yes" && v !== "no") throw xmlErr(`invalid value of '${attr}'`);
    return v === "yes";
  };
  const def: SecretDef = { uuid: "", ephemeral: yesNo("ephemeral"), private: yesNo("private") };
  const uuid = childText(root, "uuid");
  // virXPathString: an empty <uuid/> is none.
  if (uuid) {
    const u = parseUUID(uuid);
    if (!u) throw VirError.report("SECRET", "INTERNAL_ERROR", "malformed uuid element");
    def.uuid = u;
  }
  // virXPathString: an empty description is none.
  def.description = childText(root, "description") || undefined;
  const usage = child(root, "usage");
  if (usage) {
    // virXPathString: an empty type is none given.
    const type = usage.attributes.type || undefined;
    if (type === undefined) throw xmlErr("unknown secret usage type");
    if (type === "none") return def;
    if (!(SECRET_USAGE_TYPES as readonly string[]).includes(type)) {
      throw VirError.report("SECRET", "CONFIG_UNSUPPORTED", `unknown secret usage type ${type}`);
    }
    const [field, missing] = USAGE_ID[type];
    const id = xpathString(usage, field);
    if (id === undefined) throw VirError.report("SECRET", "INTERNAL_ERROR", missing);
    def.usage = { type: type as NonNullable<SecretDef["usage"]>["type"], [field]: id };
  }
  return def;
}
