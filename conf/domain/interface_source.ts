/**
 * A domain interface's `<source>` attributes as libvirt 9.0's virDomainNetDefParseXML reads
 * them for each interface type (the types that need a `<source>`, the attributes each requires
 * and checks) and virDomainNetDefFormat writes them back (only the type's own, in its order).
 *
 * @example
 * ```ts
 * import { interfaceSourceAttrs } from "./interface_source.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * interfaceSourceAttrs(parse("<interface type='direct'><source dev='eth0'/></interface>"));
 * // { dev: "eth0", mode: "vepa" }
 * ```
 * @module
 */
import { parseUUID, xmlPropEnum, xmlPropInt, xmlPropRequired } from "../common/mod.ts";
import { MACVLAN_MODES } from "../network_port/parse.ts";
import { VirError } from "../../util/errors.ts";
import { child, type XmlElement } from "../../util/xml/mod.ts";

/** How one source attribute is read (virXMLPropString and friends). */
interface SourceAttr {
  name: string;
  required?: boolean;
  /** uuid: virXMLPropUUID; int: virXMLPropInt; llong: virXMLPropLongLong; else a string. */
  kind?: "uuid" | "int" | "llong";
  /** virXMLPropEnum's names, and the value when absent (virXMLPropEnumDefault). */
  values?: readonly string[];
  fallback?: string;
}

const req = (name: string, more: Partial<SourceAttr> = {}): SourceAttr => ({
  name,
  required: true,
  ...more,
});
const SOCKET = [req("address"), req("port", { kind: "int" })];

/**
 * The source attributes of each interface type, in libvirt's order; the types listed require a
 * `<source>` but ethernet and user, whose source has no attribute libvirt keeps (a user NIC's
 * device is passt's, which 9.0 refuses). A hostdev's source is its device's (hostdev.ts).
 */
const SOURCES: Record<string, SourceAttr[]> = {
  network: [req("network"), { name: "portgroup" }],
  vds: [
    req("switchid", { kind: "uuid" }),
    req("portid", { kind: "llong" }),
    req("portgroupid"),
    req("connectionid", { kind: "llong" }),
  ],
  internal: [req("name")],
  bridge: [req("bridge")],
  direct: [req("dev"), { name: "mode", values: MACVLAN_MODES, fallback: MACVLAN_MODES[0] }],
  vhostuser: [req("type"), req("path"), req("mode", { values: ["client", "server"] })],
  vdpa: [req("dev")],
  client: SOCKET,
  server: [{ name: "address" }, req("port", { kind: "int" })],
  mcast: SOCKET,
  udp: SOCKET,
  ethernet: [],
  user: [],
};

/** The types that may go without a `<source>`. */
const SOURCE_OPTIONAL = new Set(["ethernet", "user"]);

const xmlErr = (msg: string) => VirError.report("XML", "XML_ERROR", msg);

/** virXMLPropLongLong (base 10): blanks, a sign and digits, within 64 bits. */
function longLong(el: XmlElement, name: string, text: string): string {
  const m = /^[ \t\n\v\f\r]*([+-]?[0-9]+)$/.exec(text);
  const v = m ? BigInt(m[1]) : undefined;
  if (v === undefined || v < -(2n ** 63n) || v >= 2n ** 63n) {
    throw xmlErr(
      `Invalid value for attribute '${name}' in element '${el.name}': '${text}'. ` +
        "Expected long long integer value",
    );
  }
  return String(v);
}

/** One attribute read as `a` says, undefined when absent and optional. */
function sourceAttr(source: XmlElement, a: SourceAttr): string | undefined {
  if (a.values) {
    return xmlPropEnum(source, a.name, a.values, a.required) ?? a.fallback;
  }
  const text = a.required ? xmlPropRequired(source, a.name) : source.attributes[a.name];
  if (text === undefined) return undefined;
  switch (a.kind) {
    case "int":
      return String(xmlPropInt(source, a.name));
    case "llong":
      return longLong(source, a.name, text);
    case "uuid": {
      const uuid = parseUUID(text);
      if (uuid === undefined) {
        throw xmlErr(
          `Invalid value for attribute '${a.name}' in element '${source.name}': '${text}'. ` +
            "Expected UUID",
        );
      }
      return uuid;
    }
  }
  return text;
}

/**
 * The `<source>` attributes of interface `dev` as libvirt writes them back, undefined when it
 * writes none; throws libvirt's error for a missing source or attribute, or a bad value.
 */
export function interfaceSourceAttrs(dev: XmlElement): Record<string, string> | undefined {
  const type = dev.attributes.type ?? "user";
  const source = child(dev, "source");
  const attrs = SOURCES[type];
  if (!attrs) {
    return source && Object.keys(source.attributes).length ? { ...source.attributes } : undefined;
  }
  if (!source) {
    if (SOURCE_OPTIONAL.has(type)) return undefined;
    throw VirError.report(
      "DOMAIN",
      "XML_ERROR",
      `interface type='${type}' requires a 'source' element`,
    );
  }
  const out: Record<string, string> = {};
  for (const a of attrs) {
    const v = sourceAttr(source, a);
    // virDomainNetDefParseXML: a vhost-user source is a UNIX socket.
    if (type === "vhostuser" && a.name === "type" && v !== "unix") {
      throw VirError.report(
        "DOMAIN",
        "CONFIG_UNSUPPORTED",
        `Type='${v}' unsupported for <interface type='vhostuser'>`,
      );
    }
    if (v !== undefined) out[a.name] = v;
  }
  return Object.keys(out).length ? out : undefined;
}
