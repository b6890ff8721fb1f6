/**
 * `<hostdev>`: libvirt's virDomainHostdevDefParseXML for subsystem and capabilities devices, and
 * what virDomainHostdevDefFormat writes back of them (the mode always, a subsystem device's
 * managed flag, each kind's source attributes, USB ids and PCI addresses in full, a network
 * capability's IP addresses and routes).
 *
 * @example
 * ```ts
 * import { parseHostdev } from "./hostdev.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * const usb = "<source><vendor id='1'/><product id='2'/></source>";
 * parseHostdev(parse(`<hostdev type='usb'>${usb}</hostdev>`), {})?.attributes;
 * // { mode: "subsystem", type: "usb", managed: "no" }
 * ```
 * @module
 */
import {
  formatPciAddress,
  parsePciAddress,
  parseUIntPositive,
  parseUUID,
  xmlPropEnum,
  xmlPropUInt,
} from "../common/mod.ts";
import { VirError } from "../../util/errors.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { child, children, childText, element } from "../../util/xml/mod.ts";
import { checkUsbHostdevSource } from "./hostdev_usb.ts";
import { netIPInfo } from "./net_ip.ts";
import { normalizeElement, type NormalizeOptions } from "./normalize.ts";

/** Parses one `<hostdev>` into the element libvirt writes back. */
export function parseHostdev(dev: XmlElement, options: NormalizeOptions): XmlElement | undefined {
  const hostSource = child(dev, "source");
  const subsys = (dev.attributes.mode ?? "subsystem") === "subsystem";
  if (subsys && hostSource) checkSubsysSource(dev.attributes.type, hostSource);
  // virDomainHostdevDefParseXMLSubsys reads a PCI device's backend after its source; the
  // default one (zero) is refused when named.
  const driver = subsys && dev.attributes.type === "pci" && child(dev, "driver");
  const backend = driver ? xmlPropEnum(driver, "name", PCI_BACKENDS) : undefined;
  const ipInfo = dev.attributes.mode === "capabilities" ? capsHostdevIPInfo(dev) : [];
  const n = normalizeElement(dev, "devices", options);
  if (!n) return undefined;
  // virDomainHostdevDefFormatSubsysPCI writes the backend first, and only a named one.
  n.children = n.children.filter((c) => c.type !== "element" || c.name !== "driver");
  if (backend) n.children.unshift(element("driver", { name: backend }));
  const at = n.children.findIndex((c) => c.type === "element" && c.name === "source") + 1;
  n.children.splice(at, 0, ...ipInfo);
  // virDomainHostdevDefFormat: the mode always, and a subsystem device's managed flag (any
  // value but 'yes' reads as no).
  const { mode = "subsystem", type, managed, ...rest } = n.attributes;
  const flag = mode === "subsystem" ? (managed === "yes" ? "yes" : "no") : undefined;
  n.attributes = element("hostdev", { mode, type, managed: flag }).attributes;
  Object.assign(n.attributes, rest);
  if (type === "mdev" && subsys) mdevUuid(child(child(n, "source"), "address"));
  // A USB device's guest reset and a PCI device's write filtering; no other kind's.
  const kept = n.children.find((c): c is XmlElement => c.type === "element" && c.name === "source");
  if (kept && type !== "usb") delete kept.attributes.guestReset;
  if (kept && type !== "pci") delete kept.attributes.writeFiltering;
  // A vhost-scsi host's protocol and port name, an iSCSI device's protocol and IQN.
  const iscsi = type === "scsi" && kept?.attributes.protocol === "iscsi";
  if (kept && type !== "scsi_host") delete kept.attributes.wwpn;
  if (kept && type !== "scsi_host" && !iscsi) delete kept.attributes.protocol;
  if (kept && !iscsi) delete kept.attributes.name;
  // virDomainPostParseCheckISCSIPath: an IQN without a LUN names LUN 0.
  if (iscsi && kept.attributes.name && !kept.attributes.name.includes("/")) {
    kept.attributes.name += "/0";
  }
  if (kept && subsys) formatSubsysSource(kept, type, false);
  // virDomainHostdevDefParseXML reads the readonly and shareable flags of a SCSI device only.
  if (!subsys || type !== "scsi") {
    n.children = n.children.filter((c) =>
      c.type !== "element" || (c.name !== "readonly" && c.name !== "shareable")
    );
  }
  return n;
}

/**
 * virDomainHostdevDefFormatSubsysUSB and …PCI on a parsed `<source>` of a USB or PCI device,
 * in place: USB ids as 0x%.4x, a USB bus and device in decimal (no address when both are 0), a
 * PCI address in full; `withType` writes the address's type, as a hostdev interface's does.
 */
function formatSubsysSource(source: XmlElement, type: string | undefined, withType: boolean) {
  if (type === "usb") {
    for (const id of children(source, "vendor").concat(children(source, "product"))) {
      id.attributes = {
        id: "0x" + parseUIntPositive(id.attributes.id!, 0)!.toString(16).padStart(4, "0"),
      };
    }
  }
  const address = child(source, "address");
  if (!address || (type !== "usb" && type !== "pci")) return;
  const formatted = type === "pci"
    ? [formatPciAddress(parsePciAddress(address), withType)]
    : (() => {
      const [bus, device] = ["bus", "device"].map((a) =>
        parseUIntPositive(address.attributes[a] ?? "0", 0) ?? 0
      );
      return bus || device
        ? [element("address", { type: withType ? "usb" : undefined, bus, device })]
        : [];
    })();
  source.children = source.children.flatMap((c) => c !== address ? [c] : formatted);
}

/**
 * A hostdev interface's `<source>` as virDomainNetDefFormat writes it (its device's, the
 * address with its type: `pci`, or `usb` for a source that names a vendor).
 *
 * @example
 * ```ts
 * import { hostdevInterfaceSource } from "./hostdev.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * hostdevInterfaceSource(parse("<source><address type='pci' bus='3' slot='7'/></source>"));
 * // <source><address type='pci' domain='0x0000' bus='0x03' slot='0x07' function='0x0'/></source>
 * ```
 */
export function hostdevInterfaceSource(source: XmlElement): XmlElement {
  const address = child(source, "address");
  const type = address?.attributes.type || (child(source, "vendor") ? "usb" : undefined);
  const out = element(
    "source",
    {},
    [
      ...children(source, "vendor"),
      ...children(source, "product"),
      ...(address ? [address] : []),
    ].map((c) => ({ ...c, attributes: { ...c.attributes } })),
  );
  formatSubsysSource(out, type, true);
  return out;
}

/** virDomainHostdevSubsysPCIBackendType's names but the default. */
const PCI_BACKENDS = ["kvm", "vfio", "xen"];

/**
 * virDomainHostdevDefParseXMLSubsys' checks of a subsystem hostdev's `<source>` of type `type`:
 * a startup policy is for USB devices only; a USB source's own checks; a PCI source's write
 * filtering switch.
 */
function checkSubsysSource(type: string | undefined, source: XmlElement): void {
  if (type !== "usb" && source.attributes.startupPolicy !== undefined) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      "Setting startupPolicy is only allowed for USB devices",
    );
  }
  if (type === "usb") checkUsbHostdevSource(source);
  if (type === "pci") xmlPropEnum(source, "writeFiltering", ["yes", "no"]);
  if (type === "scsi") checkScsiSource(source);
  if (type === "scsi_host") checkScsiHostSource(source);
}

/** virDomainHostdevSubsysSCSIVHostDefParseXML: the vhost protocol and an NAA port name. */
function checkScsiHostSource(source: XmlElement): void {
  const err = (code: string, msg: string) => VirError.report("DOMAIN", code, msg);
  const { protocol, wwpn } = source.attributes;
  if (protocol === undefined) throw err("XML_ERROR", "Missing scsi_host subsystem protocol");
  if (protocol !== "vhost") {
    throw err("CONFIG_UNSUPPORTED", `Unknown scsi_host subsystem protocol '${protocol}'`);
  }
  if (wwpn === undefined) throw err("XML_ERROR", "missing vhost-scsi hostdev source wwpn");
  // virValidateWWN: 16 hex digits, after an optional 0x.
  if (!/^naa\.(0x)?[0-9a-fA-F]{16}$/.test(wwpn)) throw err("XML_ERROR", "malformed 'wwpn' value");
}

/**
 * virDomainHostdevSubsysSCSIDefParseXML: a known protocol; an adapter's (the default) source
 * names the host adapter and the device's bus, target and unit on it.
 */
function checkScsiSource(source: XmlElement): void {
  const protocol = source.attributes.protocol;
  if (protocol !== undefined && protocol !== "adapter" && protocol !== "iscsi") {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      `Unknown SCSI subsystem protocol '${protocol}'`,
    );
  }
  if (protocol === "iscsi") return;
  const address = child(source, "address");
  if (!address) {
    throw VirError.report(
      "DOMAIN",
      "XML_ERROR",
      "'address' must be specified for scsi hostdev source",
    );
  }
  const required = { required: true, base: 0 } as const;
  xmlPropUInt(address, "bus", undefined, required);
  xmlPropUInt(address, "target", undefined, required);
  xmlPropUInt(address, "unit", 2 ** 64 - 1, required);
  // virXPathString: an empty name is none.
  if (!child(source, "adapter")?.attributes.name) {
    throw VirError.report(
      "DOMAIN",
      "XML_ERROR",
      "'adapter' name must be specified for scsi hostdev source",
    );
  }
}

/** What a capabilities hostdev of each type names in its `<source>`, and libvirt's error. */
const CAPS_SOURCES: Record<string, [string, string]> = {
  storage: ["block", "Missing <block> element in hostdev storage device"],
  misc: ["char", "Missing <char> element in hostdev character device"],
  net: ["interface", "Missing <interface> element in hostdev net device"],
};

/**
 * virDomainHostdevDefParseXMLCaps: a capabilities hostdev names its host block device,
 * character device or interface; a network one's IP addresses and routes follow its source.
 */
function capsHostdevIPInfo(dev: XmlElement): XmlElement[] {
  const type = dev.attributes.type;
  if (type === undefined) {
    throw VirError.report("DOMAIN", "XML_ERROR", "missing source address type");
  }
  const [name, missing] = CAPS_SOURCES[type] ?? [];
  if (!name) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      `unknown host device source address type '${type}'`,
    );
  }
  const source = child(dev, "source");
  if (!source) {
    throw VirError.report("DOMAIN", "XML_ERROR", "Missing <source> element in hostdev device");
  }
  // virXPathString: an empty one is none.
  if (!childText(source, name)) throw VirError.report("DOMAIN", "XML_ERROR", missing);
  return type === "net" ? netIPInfo(dev, "Domain hostdev device") : [];
}

/** virDomainHostdevSubsysMediatedDevDefParseXML: the mdev's UUID, in virUUIDFormat's form. */
function mdevUuid(address: XmlElement | undefined): void {
  const missing = (what: string) =>
    VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", `Missing ${what}`);
  if (!address) throw missing("<address> element");
  const uuid = address.attributes.uuid;
  if (uuid === undefined) throw missing("'uuid' attribute for element <address>");
  const canonical = parseUUID(uuid);
  if (canonical === undefined) {
    throw VirError.report(
      "DOMAIN",
      "INTERNAL_ERROR",
      "Cannot parse uuid attribute of element <address>",
    );
  }
  address!.attributes.uuid = canonical;
}
