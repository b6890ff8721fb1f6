/**
 * `<sysinfo>`: libvirt's virSysinfoParseXML and virSysinfoFormat. SMBIOS sections keep only
 * the entries libvirt knows, in its order; fw_cfg entries need a name and a value or a file.
 *
 * @example
 * ```ts
 * import { parseSysinfo } from "./sysinfo.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * const el = parse("<sysinfo type='smbios'><bios><entry name='vendor'>v</entry></bios></sysinfo>");
 * parseSysinfo(el, { uuid: "" }).children.length; // 1
 * ```
 * @module
 */
import { parseUUID, sanitizePath, xmlPropEnum } from "../common/mod.ts";
import { VirError } from "../../util/errors.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { child, children, element, textOf } from "../../util/xml/mod.ts";

/** The entries each SMBIOS section keeps, in format order. */
const SMBIOS_ENTRIES: Record<string, string[]> = {
  bios: ["vendor", "version", "date", "release"],
  system: ["manufacturer", "product", "version", "serial", "uuid", "sku", "family"],
  baseBoard: ["manufacturer", "product", "version", "serial", "asset", "location"],
  chassis: ["manufacturer", "version", "serial", "asset", "sku"],
};

/** The domain's UUID, which a `<system>` uuid entry must match or, when absent, sets. */
export interface SysinfoDomain {
  uuid: string;
}

/** Parses one `<sysinfo>` element into its canonical tree (may update `dom.uuid`). */
export function parseSysinfo(el: XmlElement, dom: SysinfoDomain): XmlElement {
  const type = xmlPropEnum(el, "type", ["smbios", "fwcfg"], true)!;
  const kids = type === "smbios" ? parseSmbios(el, dom) : children(el, "entry").map(fwcfgEntry);
  return element("sysinfo", { type }, kids);
}

function parseSmbios(el: XmlElement, dom: SysinfoDomain): (XmlElement | undefined)[] {
  const bios = child(el, "bios");
  checkBiosDate(bios);
  const system = child(el, "system");
  const uuid = systemUuid(system, dom);
  const section = (name: string, node: XmlElement | undefined) => {
    if (!node) return undefined;
    const values = SMBIOS_ENTRIES[name].map((entry) => {
      // libvirt writes the system UUID back in canonical form.
      const v = name === "system" && entry === "uuid" ? uuid : entryText(node, entry);
      return v === undefined ? undefined : element("entry", { name: entry }, [v]);
    });
    return values.some((v) => v) ? element(name, {}, values) : undefined;
  };
  const oem = children(child(el, "oemStrings"), "entry");
  return [
    section("bios", bios),
    section("system", system),
    ...children(el, "baseBoard").map((b) => section("baseBoard", b)),
    section("chassis", child(el, "chassis")),
    oem.length
      ? element("oemStrings", {}, oem.map((e) => element("entry", {}, [textOf(e) ?? ""])))
      : undefined,
  ];
}

/** XPath string(entry[@name=…]): the first such entry's text; an empty one counts as absent. */
function entryText(node: XmlElement | undefined, name: string): string | undefined {
  return textOf(children(node, "entry").find((e) => e.attributes.name === name)) || undefined;
}

/** mm/dd/yy or mm/dd/yyyy, a four-digit year from 1900 on. */
function checkBiosDate(bios: XmlElement | undefined): void {
  const date = entryText(bios, "date");
  if (date === undefined) return;
  const m = /^\s*([+-]?\d+)\/\s*([+-]?\d+)\/\s*([+-]?\d+)$/.exec(date);
  const [month, day, year] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, -1];
  if (month < 1 || month > 12 || day < 1 || day > 31 || year < 0 || (year >= 100 && year < 1900)) {
    throw VirError.report("DOMAIN", "XML_DETAIL", "Invalid BIOS 'date' format");
  }
}

function systemUuid(system: XmlElement | undefined, dom: SysinfoDomain): string | undefined {
  const raw = entryText(system, "uuid");
  if (raw === undefined) return undefined;
  const uuid = parseUUID(raw);
  if (uuid === undefined) {
    throw VirError.report("DOMAIN", "XML_DETAIL", "malformed <sysinfo> uuid element");
  }
  if (!dom.uuid) dom.uuid = uuid;
  else if (dom.uuid !== uuid) {
    throw VirError.report("DOMAIN", "XML_DETAIL", "UUID mismatch between <uuid> and <sysinfo>");
  }
  return uuid;
}

function fwcfgEntry(e: XmlElement): XmlElement {
  const name = e.attributes.name;
  if (name === undefined) {
    throw VirError.report("DOMAIN", "XML_ERROR", "Firmware entry is missing 'name' attribute");
  }
  const value = textOf(e) ?? "";
  const file = e.attributes.file;
  if (!value.trim() && file === undefined) {
    throw VirError.report(
      "DOMAIN",
      "XML_ERROR",
      "Firmware entry must have either value or 'file' attribute",
    );
  }
  return file !== undefined
    ? element("entry", { name, file: sanitizePath(file) })
    : element("entry", { name }, [value]);
}
