/**
 * `virDomainDeviceDefParse` for the QEMU driver: one device's XML, parsed and normalized as it
 * would be inside a domain, and where it goes in a definition.
 *
 * @module
 */
import { parseDomainXML } from "../../../conf/domain/mod.ts";
import type { DomainDef } from "../../../conf/domain/def.ts";
import { insertDisk } from "../../../conf/domain/disk_name.ts";
import { VirError } from "../../../util/errors.ts";
import { child, children, parse, stringify, type XmlElement } from "../../../util/xml/mod.ts";
import { insertDevice } from "../default_devices.ts";
import { nicOf } from "./device_nic.ts";
import { validateDiskFrontend } from "../disk_validate.ts";
import { validateDiskTransient } from "../disk_transient_validate.ts";

/** libvirt's `virDomainDeviceType` name of each device element (chardevs are all `chr`). */
const DEVICE_TYPES: Record<string, string> = {
  serial: "chr",
  parallel: "chr",
  console: "chr",
  channel: "chr",
};

/**
 * The `virDomainDeviceType` name libvirt reports a device element by.
 *
 * @example
 * ```ts
 * import { deviceTypeName } from "./device_parse.ts";
 * deviceTypeName("serial"); // "chr"
 * ```
 */
export function deviceTypeName(element: string): string {
  return DEVICE_TYPES[element] ?? element;
}

/**
 * The device kinds each operation handles here (libvirt handles more; the rest are refused),
 * with the code of the refusal: one table, so that a kind the driver learns is one entry per
 * operation.
 */
const HANDLED_KINDS: Record<
  DeviceOperation,
  { kinds: readonly string[]; code?: "CONFIG_UNSUPPORTED" }
> = {
  "persistent attach": {
    kinds: [
      "disk",
      "interface",
      "serial",
      "channel",
      "console",
      "input",
      "sound",
      "rng",
      "watchdog",
      "memory",
      "filesystem",
    ],
  },
  "live attach": {
    kinds: [
      "disk",
      "interface",
      "serial",
      "channel",
      "console",
      "rng",
      "watchdog",
      "memory",
      "filesystem",
    ],
  },
  "persistent detach": {
    kinds: [
      "disk",
      "interface",
      "serial",
      "channel",
      "console",
      "rng",
      "watchdog",
      "memory",
      "filesystem",
    ],
  },
  "live detach": {
    kinds: ["disk", "interface", "serial", "channel", "rng", "watchdog", "memory", "filesystem"],
  },
  "persistent update": { kinds: ["disk", "interface", "graphics"] },
  "live update": { kinds: ["disk", "interface", "graphics", "memory"], code: "CONFIG_UNSUPPORTED" },
};

/** An operation on a device, as libvirt names it in its refusals. */
export type DeviceOperation =
  | "persistent attach"
  | "live attach"
  | "persistent detach"
  | "live detach"
  | "persistent update"
  | "live update";

/**
 * libvirt's refusal of a device kind an operation does not handle ("live attach of device
 * 'chr' is not supported"), unless `dev` is of a kind it does ({@link HANDLED_KINDS}).
 *
 * @example
 * ```ts
 * import { refuseUnless } from "./device_parse.ts";
 * import { element } from "../../../util/xml/mod.ts";
 * refuseUnless(element("disk", {}), "live attach"); // no error
 * ```
 */
export function refuseUnless(dev: XmlElement, operation: DeviceOperation): void {
  const { kinds, code = "OPERATION_UNSUPPORTED" } = HANDLED_KINDS[operation];
  if (kinds.includes(dev.name)) return;
  throw VirError.report(
    "QEMU",
    code,
    `${operation} of device '${deviceTypeName(dev.name)}' is not supported`,
  );
}

/**
 * One device element, normalized as the domain parser does (a disk's type and bus filled in).
 * Without `validate` (libvirt's VIR_DOMAIN_DEF_PARSE_SKIP_VALIDATE, which detach uses) a disk
 * may come without a source: it only names the disk to remove. A memory device is read
 * against the guest NUMA cells of `context`, the domain it is for.
 *
 * @example
 * ```ts
 * import { parseDeviceXML } from "./device_parse.ts";
 * const disk = parseDeviceXML("<disk type='file'><source file='/a.img'/><target dev='vdb'/></disk>");
 * ```
 */
export function parseDeviceXML(xml: string, validate = true, context?: DomainDef): XmlElement {
  const root = parse(xml, { context: "(device_definition)", errorDomain: "DOMAIN" });
  if (root.name === "interface") {
    // A NIC parses into a model of its own; callers refuse it by its element name.
    return root;
  }
  // The source check is the only validation a lone device meets: a disk parsed without it
  // goes through as a medium-less cdrom, then gets its own kind back.
  const device = root.attributes.device;
  const unchecked = !validate && root.name === "disk" && !child(root, "source");
  if (unchecked) root.attributes = { ...root.attributes, device: "cdrom" };
  // A memory device is checked against the domain's guest NUMA cells (libvirt parses it in the
  // domain's context) and comes out of the shell's total, which must hold it.
  const memory = root.name === "memory";
  const cells = memory
    ? children(context?.cpu?.extra.find((e) => e.name === "numa"), "cell").map((c) =>
      `<cell id='${c.attributes.id}' memory='1024' unit='KiB'/>`
    ).join("")
    : "";
  const shell =
    `<domain type='kvm'><name>device</name><memory>${
      memory ? 1 << 30 : 1024
    }</memory><os><type>hvm</type></os>${cells ? `<cpu><numa>${cells}</numa></cpu>` : ""}` +
    `<devices>${stringify(root)}</devices></domain>`;
  const parsed = parseDomainXML(shell).devices.other.find((d) => d.name === root.name);
  if (!parsed) {
    throw VirError.report("DOMAIN", "XML_ERROR", `unknown device type '${root.name}'`);
  }
  if (unchecked) parsed.attributes = { ...parsed.attributes, device: device ?? "disk" };
  // libvirt validates a lone device as it does the domain's (qemuValidateDomainDeviceDef).
  if (validate && parsed.name === "disk") {
    validateDiskFrontend(parsed);
    validateDiskTransient(parsed);
  }
  return parsed;
}

/**
 * Puts a device into a definition where the parser would have put it: a disk among the disks
 * of its bus in target order (`virDomainDiskInsert`), any other after its own kind.
 *
 * @example
 * ```ts
 * import { insertParsedDevice, parseDeviceXML } from "./device_parse.ts";
 * declare const def: import("../../../conf/domain/def.ts").DomainDef;
 * insertParsedDevice(def, parseDeviceXML("<disk><source file='/a'/><target dev='vdb'/></disk>"));
 * ```
 */
export function insertParsedDevice(def: DomainDef, dev: XmlElement): void {
  if (dev.name !== "disk") return insertDevice(def, dev);
  const other = def.devices.other;
  const disks = other.filter((d) => d.name === "disk");
  insertDisk(disks, dev);
  const next = disks[disks.indexOf(dev) + 1];
  other.splice(
    next ? other.indexOf(next) : other.findLastIndex((d) => d.name === "disk") + 1,
    0,
    dev,
  );
}

/**
 * The disk of a definition with target `dev` (`virDomainDiskByTarget`).
 *
 * @example
 * ```ts
 * import { diskByTarget } from "./device_parse.ts";
 * declare const def: import("../../../conf/domain/def.ts").DomainDef;
 * diskByTarget(def, "vda");
 * ```
 */
export function diskByTarget(def: DomainDef, dev: string | undefined): XmlElement | undefined {
  return def.devices.other.find((d) =>
    d.name === "disk" && child(d, "target")?.attributes.dev === dev
  );
}

/** A disk's target name. */
export function targetOf(disk: XmlElement): string | undefined {
  return child(disk, "target")?.attributes.dev;
}

/**
 * `virDomainDeviceValidateAliasForHotplug`: a user's alias on a device being attached must be
 * new to the definition (`<alias>` of a NIC as of any other device).
 *
 * @example
 * ```ts
 * import { checkUniqueAlias } from "./device_parse.ts";
 * declare const def: import("../../../conf/domain/def.ts").DomainDef;
 * declare const dev: XmlElement;
 * checkUniqueAlias(def, dev); // throws "non unique alias detected: ua-disk"
 * ```
 */
export function checkUniqueAlias(def: DomainDef, dev: XmlElement): void {
  const alias = dev.name === "interface"
    ? nicOf(dev, false).extra.find((e) => e.name === "alias")?.attributes.name
    : child(dev, "alias")?.attributes.name;
  if (alias === undefined) return;
  const taken = [
    ...def.devices.other.map((d) => child(d, "alias")?.attributes.name),
    ...def.devices.interfaces.map((n) => n.extra.find((e) => e.name === "alias")?.attributes.name),
  ];
  if (taken.includes(alias)) {
    throw VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", `non unique alias detected: ${alias}`);
  }
}

/** An address attribute as a number where it is one (`0x1f` and `31` are the same slot). */
const addressValue = (v: string | undefined) =>
  v !== undefined && /^(0x[0-9a-f]+|\d+)$/i.test(v) ? Number(v) : v;

/**
 * `virDomainDeviceInfoAddressIsEqual`: two `<address>` elements of the same type naming the same
 * place (a PCI address by domain, bus, slot and function; any other by all its attributes).
 *
 * @example
 * ```ts
 * import { sameAddress } from "./device_parse.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * sameAddress(
 *   parse("<address type='pci' bus='0' slot='0x05'/>"),
 *   parse("<address type='pci' domain='0x0000' bus='0x00' slot='5' function='0'/>"),
 * ); // true
 * ```
 */
export function sameAddress(a: XmlElement | undefined, b: XmlElement | undefined): boolean {
  if (!a || !b || a.attributes.type !== b.attributes.type) return false;
  const keys = a.attributes.type === "pci"
    ? ["domain", "bus", "slot", "function"]
    : [...new Set([...Object.keys(a.attributes), ...Object.keys(b.attributes)])];
  const value = (el: XmlElement, k: string) =>
    addressValue(el.attributes[k]) ?? (a.attributes.type === "pci" ? 0 : undefined);
  return keys.every((k) => value(a, k) === value(b, k));
}
