/**
 * `<os>`: guest type, arch, machine, boot order; other children as canonical trees.
 *
 * @example
 * ```ts
 * import { parseOs } from "./os.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseOs(parse("<os><type arch='x86_64'>hvm</type><boot dev='cdrom'/></os>"), "hvm", {}).boot;
 * // ["cdrom"]
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import {
  child,
  children,
  childrenInOrder,
  element,
  nameOrder,
  textOf,
} from "../../util/xml/mod.ts";
import { xmlPropEnum, xmlPropUInt } from "../common/mod.ts";
import { diskSourceElement } from "./disk_source.ts";
import { checkDiskSource } from "../common/disk_source.ts";
import { isKnownArch } from "../capabilities/cpu_models.ts";
import type { DomainDef } from "./def.ts";
import { normalizeElement, type NormalizeOptions } from "./normalize.ts";

/** `<os>` children after `<type>`, in libvirt's output order (virDomainDefFormatOs). */
export const OS_KIDS_BEFORE_BOOT = [
  "firmware",
  "init",
  "initarg",
  "initenv",
  "initdir",
  "inituser",
  "initgroup",
  "loader",
  "nvram",
  "kernel",
  "initrd",
  "cmdline",
  "dtb",
  "root",
  "acpi",
];
/** `<os>` children libvirt writes after the `<boot>` list. */
export const OS_KIDS_AFTER_BOOT = ["bootmenu", "bios", "smbios"];

/** The `<os>` children kept as trees, in output order around the boot list. */
const EXTRA_ORDER = nameOrder([...OS_KIDS_BEFORE_BOOT, ...OS_KIDS_AFTER_BOOT]);

const KERNEL = ["kernel", "initrd", "cmdline", "dtb", "root"];
const INIT = ["init", "initarg", "initenv", "initdir", "inituser", "initgroup", "cmdline"];

/**
 * The `<os>` children virDomainDefParseBootOptions reads for each OS type (smbios for all);
 * the others are ignored.
 */
const READ_BY_OS_TYPE: Record<string, Set<string>> = Object.fromEntries(
  Object.entries({
    hvm: [...KERNEL, "firmware", "loader", "nvram", "acpi", "bootmenu", "bios"],
    xen: [...KERNEL, "loader", "nvram"],
    xenpvh: [...KERNEL, "loader", "nvram"],
    uml: [...KERNEL, "loader", "nvram"],
    exe: INIT,
    linux: [],
  }).map(([type, names]) => [type, new Set([...names, "smbios"])]),
);

/** virDomainOSType names. */
const OS_TYPES = ["hvm", "xen", "linux", "exe", "uml", "xenpvh"];

/**
 * The guest's OS type, checked as virDomainDefParseCaps does before the rest of the document is
 * read (so its errors win over later ones), with the `<os><type>`'s architecture: a domain with
 * a `<bootloader>` and no type is a Xen guest, as is a Xen domain's old `linux` type.
 *
 * @example
 * ```ts
 * import { parseOsType } from "./os.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * parseOsType(parse("<domain><os><type>hvm</type></os></domain>"), "test"); // "hvm"
 * ```
 */
export function parseOsType(root: XmlElement, virtType: string): string {
  const type = child(child(root, "os"), "type");
  // virXPathString: an empty text or attribute is none.
  let os = textOf(type);
  if (!os) {
    if (!textOf(child(root, "bootloader"))) {
      throw VirError.report("DOMAIN", "XML_ERROR", "an os <type> must be specified");
    }
    os = "xen";
  } else if (!OS_TYPES.includes(os)) {
    throw VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", `unknown OS type '${os}'`);
  }
  if (os === "linux" && virtType === "xen") os = "xen";
  const arch = type?.attributes.arch;
  if (arch && !isKnownArch(arch)) {
    throw VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", `Unknown architecture ${arch}`);
  }
  return os;
}

/** virDomainBootType names. */
const BOOT_DEVS = ["fd", "cdrom", "hd", "network"];

/**
 * Parses `<os>`, of the OS type {@link parseOsType} read. `abiUpdate`: libvirt's
 * VIR_DOMAIN_DEF_PARSE_ABI_UPDATE, with which firmware features are read even without
 * autoselection (for the validation to refuse).
 */
export function parseOs(
  el: XmlElement | undefined,
  osType: string,
  options: NormalizeOptions,
  abiUpdate = false,
): DomainDef["os"] {
  const type = child(el, "type");
  const os: DomainDef["os"] = { type: osType, extra: [] };
  if (type?.attributes.arch) os.arch = type.attributes.arch;
  if (type?.attributes.machine) os.machine = type.attributes.machine;
  const read = READ_BY_OS_TYPE[os.type];
  // Firmware autoselection and boot devices are HVM notions: other types never read them.
  const firmware = os.type === "hvm" ? el?.attributes.firmware : undefined;
  if (firmware) {
    // virDomainDefParseBootFirmwareOptions: the features, then the value ("none" included).
    readFirmwareFeatures(child(el, "firmware"));
    if (firmware !== "bios" && firmware !== "efi") {
      throw VirError.report("DOMAIN", "XML_ERROR", `unknown firmware value ${firmware}`);
    }
    os.firmware = firmware;
  }
  // virDomainDefParseBootXML reads the boot devices of HVM guests only.
  const boot = os.type === "hvm"
    ? children(el, "boot").map((b) => xmlPropEnum(b, "dev", BOOT_DEVS, true)!)
    : [];
  if (boot.length && os.type === "hvm") os.boot = boot;
  if (os.type === "hvm") checkAcpiTables(el);
  for (const k of childrenInOrder(el, EXTRA_ORDER)) {
    if (!read.has(k.name)) continue;
    // Without firmware autoselection, libvirt ignores the firmware features (of a migrated-in
    // config) rather than refusing them, but for a new definition.
    if (k.name === "firmware" && !os.firmware && !abiUpdate) continue;
    if (k.name === "firmware") {
      const fw = firmwareFeatures(k);
      if (fw) os.extra.push(fw);
      continue;
    }
    // virDomainDefFormatOs writes the SMBIOS mode unless it is none (0, as an empty one is).
    if (k.name === "smbios" && (k.attributes.mode || "none") === "none") continue;
    if (k.name === "bootmenu") {
      const menu = bootmenu(k, os.extra);
      if (menu) os.extra.push(menu);
      continue;
    }
    // virDomainLoaderDefParseXML's attributes, in its order (the type's none refused).
    if (k.name === "loader") {
      xmlPropEnum(k, "readonly", ["yes", "no"]);
      xmlPropEnum(k, "type", ["rom", "pflash"]);
      xmlPropEnum(k, "secure", ["yes", "no"]);
      xmlPropEnum(k, "stateless", ["yes", "no"]);
    }
    // virDomainLoaderDefParseXMLNvram: a typed <nvram> is a storage source, and one without a
    // <source> fails without saying why.
    const source = child(k, "source");
    const nvramType = k.name === "nvram" ? xmlPropEnum(k, "type", STORAGE_TYPES) : undefined;
    if (nvramType !== undefined && !source) {
      throw VirError.bare("NONE", "INTERNAL_ERROR", "An error occurred, but the cause is unknown");
    }
    if (nvramType !== undefined) checkDiskSource(nvramType, source!);
    const n = normalizeElement(k, "os", options, "domain") ??
      (nvramType !== undefined ? element("nvram", {}) : undefined);
    // virDomainLoaderDefFormatNvram: a typed one is its type and storage source.
    if (n && nvramType !== undefined) {
      n.attributes.type = nvramType;
      const src = diskSourceElement(nvramType, source!, options);
      // A source index is the running domain's, read only from a status.
      if (!options.keepAliases) delete src.attributes.index;
      n.children = [src];
    }
    if (n?.name === "loader" && n.children.length && n.attributes.type === undefined) {
      // virDomainDefPostParseOs: a loader with a path is a ROM unless said otherwise.
      const { readonly, secure, ...rest } = n.attributes;
      n.attributes = { ...element("x", { readonly, secure }).attributes, type: "rom", ...rest };
    }
    if (n) os.extra.push(n);
  }
  return os;
}

/** virStorageType's names. */
const STORAGE_TYPES = "none file block dir network volume nvme vhostuser".split(" ");

/** virDomainDefParseBootAcpiOptions: at most one `<acpi><table>`, of type slic. */
function checkAcpiTables(os: XmlElement | undefined): void {
  const tables = children(os, "acpi").flatMap((a) => children(a, "table"));
  const xmlError = (msg: string) => VirError.report("DOMAIN", "XML_ERROR", msg);
  if (tables.length > 1) throw xmlError("Only one acpi table is supported");
  if (!tables.length) return;
  const type = tables[0].attributes.type;
  if (type === undefined) throw xmlError("Missing acpi table type");
  if (type !== "slic") throw xmlError(`Unknown acpi table type: ${type}`);
}

/**
 * The first `<bootmenu>` as virDomainDefParseBootXML keeps it: only with an enable state, and
 * its timeout only when the menu is enabled.
 */
function bootmenu(el: XmlElement, kept: XmlElement[]): XmlElement | undefined {
  if (kept.some((e) => e.name === "bootmenu")) return undefined;
  const enable = xmlPropEnum(el, "enable", ["yes", "no"]);
  if (!enable) return undefined;
  const timeout = enable === "yes" ? xmlPropUInt(el, "timeout") : undefined;
  return element("bootmenu", { enable, timeout });
}

/** The `<feature>`s of `<firmware>` as virDomainDefParseBootFirmwareOptions reads them. */
function readFirmwareFeatures(el: XmlElement | undefined): Map<string, string> {
  const states = new Map<string, string>();
  for (const f of children(el, "feature")) {
    const name = xmlPropEnum(f, "name", FIRMWARE_FEATURES, true)!;
    states.set(name, xmlPropEnum(f, "enabled", ["yes", "no"], true)!);
  }
  return states;
}

/** virDomainOsDefFirmwareFeature names, in output order. */
const FIRMWARE_FEATURES = ["enrolled-keys", "secure-boot"] as const;

/** The `<firmware>` element holding `states`, in libvirt's feature order; none when empty. */
function firmwareElement(states: Map<string, string>): XmlElement | undefined {
  if (!states.size) return undefined;
  return element(
    "firmware",
    {},
    FIRMWARE_FEATURES.filter((n) => states.has(n)).map((name) =>
      element("feature", { enabled: states.get(name), name })
    ),
  );
}

/** `<firmware>` features (virDomainDefParseBootFirmwareOptions), as given. */
function firmwareFeatures(el: XmlElement): XmlElement | undefined {
  return firmwareElement(readFirmwareFeatures(el));
}

/**
 * virDomainDefPostParseOs: enrolled keys imply (and need) secure boot.
 *
 * @example
 * ```ts
 * import { firmwarePostParse } from "./os.ts";
 * declare const def: import("./def.ts").DomainDef;
 * firmwarePostParse(def.os);
 * ```
 */
export function firmwarePostParse(os: DomainDef["os"]): void {
  const i = os.extra.findIndex((e) => e.name === "firmware");
  if (i < 0) return;
  const states = readFirmwareFeatures(os.extra[i]);
  if (states.get("enrolled-keys") !== "yes") return;
  if (states.get("secure-boot") === "no") {
    throw VirError.report(
      "DOMAIN",
      "XML_DETAIL",
      "firmware feature 'enrolled-keys' cannot be enabled when firmware feature " +
        "'secure-boot' is disabled",
    );
  }
  states.set("secure-boot", "yes");
  os.extra[i] = firmwareElement(states)!;
}
