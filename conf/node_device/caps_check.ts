/**
 * libvirt 9.0's parsers (node_device_conf.c) for the node device capabilities this model does
 * not hold: pci, usb_device, usb, net, scsi_target, scsi, storage, drm, mdev, ccw, css,
 * ap_card, ap_queue and ap_matrix. Each checks what libvirt checks, in its order and with its
 * errors, so a document is refused exactly where libvirt refuses it; what the checks read is
 * not kept (see {@link checkCapability}).
 *
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { child, children, type XmlElement } from "../../util/xml/mod.ts";
import {
  parseInt32,
  parsePciAddress,
  parseUIntPositive,
  parseULongLong,
  parseUUID,
  xmlPropEnum,
  xmlPropInt,
  xmlPropUInt,
  xpathString,
} from "../common/mod.ts";
import { LINK_STATES } from "../interface/parse.ts";

const err = (code: string, msg: string) => VirError.report("NODEDEV", code, msg);

/** virXPathString("string(./name[1])"): the first child's text, undefined when empty. */
const text = xpathString;

/**
 * virNodeDevCapsDefParseUInt / ParseHexId over an XPath string: its "no …" error when the
 * value is missing or empty, its "invalid …" error when it is no unsigned int.
 */
function uint(
  value: string | undefined,
  dev: string,
  what: string,
  base: 10 | 16 = 10,
): void {
  if (value === undefined || value === "") {
    throw err("INTERNAL_ERROR", `no ${what} supplied for '${dev}'`);
  }
  if (parseUIntPositive(value, base) === undefined) {
    throw err("INTERNAL_ERROR", `invalid ${what} supplied for '${dev}'`);
  }
}

/** virXPathUInt's result: undefined (-1) when missing, false (-2) when malformed. */
const xpathUInt = (value: string | undefined): boolean | undefined =>
  value ? parseUIntPositive(value) !== undefined : undefined;

/** virNodeDevCapMdevTypesParseXML (pci, css and ap_matrix `mdev_types`). */
function mdevTypes(el: XmlElement): void {
  for (const t of children(el, "type")) {
    const id = t.attributes.id || undefined;
    if (id === undefined) {
      throw err("XML_ERROR", "missing 'id' attribute for mediated device's <type> element");
    }
    if (text(t, "deviceAPI") === undefined) {
      throw err("XML_ERROR", `missing device API for mediated device type '${id}'`);
    }
    if (!xpathUInt(text(t, "availableInstances"))) {
      throw err(
        "XML_ERROR",
        `missing number of available instances for mediated device type '${id}'`,
      );
    }
  }
}

/** virNodeDeviceCapVPDParseXML: a name and `<fields>` of a known access type. */
function vpd(el: XmlElement): void {
  if (text(el, "name") === undefined) {
    throw err("XML_ERROR", "Could not read a device name from the <name> element");
  }
  // Bad custom fields are reported and skipped by libvirt, never failing the parse.
  for (const f of children(el, "fields").filter((f) => f.attributes.access !== undefined)) {
    const access = f.attributes.access;
    if (access === "") throw err("XML_ERROR", "VPD fields access type parsing has failed");
    if (access !== "readonly" && access !== "readwrite") {
      throw err("XML_ERROR", `Unsupported VPD field access type specified ${access}`);
    }
  }
}

/** virPCIEDeviceInfoLinkParseXML. */
function pcieLink(link: XmlElement): void {
  xmlPropUInt(link, "width", undefined, { base: 0, required: true });
  xmlPropEnum(link, "speed", ["", "2.5", "5", "8", "16", "32", "64"]);
  xmlPropInt(link, "port");
}

/** virNodeDevPCICapabilityParseXML: a PCI device's sub-capabilities. */
function pciSubCap(el: XmlElement): void {
  const type = el.attributes.type;
  if (type === undefined) throw err("XML_ERROR", "Missing capability type");
  if (type === "phys_function") {
    const address = child(el, "address");
    if (!address) throw err("XML_ERROR", "Missing address in 'phys_function' capability");
    parsePciAddress(address);
  } else if (type === "virt_functions") {
    const max = el.attributes.maxCount;
    if (max !== undefined && parseUIntPositive(max) === undefined) {
      throw err("XML_ERROR", "Malformed 'maxCount' parameter");
    }
    for (const a of children(el, "address")) parsePciAddress(a);
  } else if (type === "mdev_types") {
    mdevTypes(el);
  } else if (type === "vpd") {
    vpd(el);
  }
  // Any other type is a PCI header type or nothing: libvirt ignores what it does not know.
}

/** virNodeDevCapPCIDevParseXML. */
function pci(el: XmlElement, dev: string): void {
  const klass = text(el, "class");
  if (klass !== undefined) {
    // virStrToLong_i in base 16: a sign and a 0x prefix are allowed.
    const m = /^[ \t\n\v\f\r]*([+-]?)(?:0[xX])?([0-9a-fA-F]+)$/.exec(klass);
    const v = m ? parseInt(m[1] + m[2], 16) : NaN;
    if (!(v >= -0x80000000 && v <= 0xffffff)) {
      throw err("INTERNAL_ERROR", `invalid PCI class supplied for '${dev}'`);
    }
  }
  uint(text(el, "domain"), dev, "PCI domain ID");
  uint(text(el, "bus"), dev, "PCI bus ID");
  uint(text(el, "slot"), dev, "PCI slot ID");
  uint(text(el, "function"), dev, "PCI function ID");
  uint(child(el, "vendor")?.attributes.id, dev, "PCI vendor ID", 16);
  uint(child(el, "product")?.attributes.id, dev, "PCI product ID", 16);
  for (const c of children(el, "capability")) pciSubCap(c);
  const group = child(el, "iommuGroup");
  if (group) {
    if (group.attributes.number === undefined) {
      throw VirError.report(
        "XML",
        "XML_ERROR",
        "Missing required attribute 'number' in element 'iommuGroup'",
      );
    }
    xmlPropUInt(group, "number");
    for (const a of children(group, "address")) parsePciAddress(a);
  }
  const numa = child(el, "numa")?.attributes.node;
  if (numa && parseInt32(numa) === undefined) {
    throw err("INTERNAL_ERROR", `invalid NUMA node ID supplied for '${dev}'`);
  }
  const express = child(el, "pci-express");
  if (express) {
    for (const validity of ["cap", "sta"]) {
      const link = children(express, "link").find((l) => l.attributes.validity === validity);
      if (link) pcieLink(link);
    }
  }
}

/** virNodeDevCapUSBDevParseXML. */
function usbDevice(el: XmlElement, dev: string): void {
  uint(text(el, "bus"), dev, "USB bus number");
  uint(text(el, "device"), dev, "USB device number");
  uint(child(el, "vendor")?.attributes.id, dev, "USB vendor ID", 16);
  uint(child(el, "product")?.attributes.id, dev, "USB product ID", 16);
}

/** virNodeDevCapUSBInterfaceParseXML. */
function usbInterface(el: XmlElement, dev: string): void {
  uint(text(el, "number"), dev, "USB interface number");
  uint(text(el, "class"), dev, "USB interface class");
  uint(text(el, "subclass"), dev, "USB interface subclass");
  uint(text(el, "protocol"), dev, "USB interface protocol");
}

/** virNetDevFeature's names, in its order, which is the XML's. */
export const NET_FEATURES: readonly string[] = [
  "rx",
  "tx",
  "sg",
  "tso",
  "gso",
  "gro",
  "lro",
  "rxvlan",
  "txvlan",
  "ntuple",
  "rxhash",
  "rdma",
  "txudptnl",
  "switchdev",
];

/** virNodeDevCapNetParseXML. */
function net(el: XmlElement, dev: string): void {
  if (text(el, "interface") === undefined) {
    throw err("INTERNAL_ERROR", `no network interface supplied for '${dev}'`);
  }
  for (const f of children(el, "feature")) {
    const name = f.attributes.name;
    if (name === undefined) throw err("XML_ERROR", "missing network device feature name");
    if (!NET_FEATURES.includes(name)) {
      throw err("XML_ERROR", `unknown network device feature '${name}'`);
    }
  }
  // string(./capability/@type): the first capability that has a type.
  const subtype = children(el, "capability").map((c) => c.attributes.type).find((t) => t);
  if (subtype && subtype !== "80203" && subtype !== "80211") {
    throw err("CONFIG_UNSUPPORTED", `invalid network type supplied for '${dev}'`);
  }
  const link = child(el, "link");
  if (link) {
    // virInterfaceLinkParseXML.
    xmlPropEnum(link, "state", ["", ...LINK_STATES]);
    xmlPropUInt(link, "speed");
  }
}

/** virNodeDevCapSCSITargetParseXML. */
function scsiTarget(el: XmlElement, dev: string): void {
  if (text(el, "target") === undefined) {
    throw err("INTERNAL_ERROR", `no target name supplied for '${dev}'`);
  }
  for (const c of children(el, "capability")) {
    const type = c.attributes.type;
    if (type === undefined) {
      throw err("INTERNAL_ERROR", `missing type for SCSI target capability for '${dev}'`);
    }
    if (type !== "fc_remote_port") {
      throw err("INTERNAL_ERROR", `unknown SCSI target capability type '${type}' for '${dev}'`);
    }
    if (text(c, "rport") === undefined) {
      throw err("INTERNAL_ERROR", `missing rport name for '${dev}'`);
    }
    if (text(c, "wwpn") === undefined) {
      throw err("INTERNAL_ERROR", `missing wwpn identifier for '${dev}'`);
    }
  }
}

/** virNodeDevCapSCSIParseXML. */
function scsi(el: XmlElement, dev: string): void {
  uint(text(el, "host"), dev, "SCSI host ID");
  uint(text(el, "bus"), dev, "SCSI bus ID");
  uint(text(el, "target"), dev, "SCSI target ID");
  uint(text(el, "lun"), dev, "SCSI LUN ID");
}

/** virNodeDevCapsDefParseULongLong. */
function ulonglong(value: string | undefined, dev: string, what: string): void {
  if (value === undefined) throw err("INTERNAL_ERROR", `no ${what} supplied for '${dev}'`);
  if (parseULongLong(value) === undefined) {
    throw err("INTERNAL_ERROR", `invalid ${what} supplied for '${dev}'`);
  }
}

/** virNodeDevCapStorageParseXML. */
function storage(el: XmlElement, dev: string): void {
  if (text(el, "block") === undefined) {
    throw err("INTERNAL_ERROR", `no block device path supplied for '${dev}'`);
  }
  let removable = false;
  for (const c of children(el, "capability")) {
    const type = c.attributes.type;
    if (type === undefined) {
      throw err("INTERNAL_ERROR", `missing storage capability type for '${dev}'`);
    }
    if (type === "removable") {
      removable = true;
      ulonglong(text(c, "media_size"), dev, "removable media size");
    } else if (type !== "hotpluggable") {
      throw err("INTERNAL_ERROR", `unknown storage capability type '${type}' for '${dev}'`);
    }
  }
  if (!removable) ulonglong(text(el, "size"), dev, "size");
}

/** virNodeDevCapDRMParseXML. */
function drm(el: XmlElement, dev: string): void {
  const type = text(el, "type");
  if (type !== "primary" && type !== "control" && type !== "render") {
    throw err("CONFIG_UNSUPPORTED", `unknown drm type '${type ?? "(null)"}' for '${dev}'`);
  }
}

/** virNodeDevCapMdevParseXML. */
function mdev(el: XmlElement, dev: string): void {
  if (!child(el, "type")?.attributes.id) {
    throw err("CONFIG_UNSUPPORTED", `missing type id attribute for '${dev}'`);
  }
  const uuid = text(el, "uuid");
  if (uuid !== undefined && !parseUUID(uuid)) {
    throw err("INTERNAL_ERROR", `Invalid uuid '${uuid}' for new mdev device`);
  }
  if (xpathUInt(child(el, "iommuGroup")?.attributes.number) === false) {
    throw err("INTERNAL_ERROR", `invalid iommuGroup number attribute for '${dev}'`);
  }
  // An <attr> without name or value is reported and skipped, never failing the parse.
}

/** virNodeDevCCWDeviceAddressParseXML: cssid, ssid (base 0) and devno (hex). */
function ccwAddress(el: XmlElement, dev: string): void {
  for (const [name, base] of [["cssid", 0], ["ssid", 0], ["devno", 16]] as const) {
    const v = text(el, name);
    if (v === undefined) throw err("CONFIG_UNSUPPORTED", `missing ${name} value for '${dev}'`);
    if (parseUIntPositive(v, base) === undefined) {
      throw err("CONFIG_UNSUPPORTED", `invalid ${name} value '${v}' for '${dev}'`);
    }
  }
}

/** virNodeDevCSSCapabilityParseXML / virNodeDevAPMatrixCapabilityParseXML. */
function mdevSubCaps(el: XmlElement): void {
  for (const c of children(el, "capability")) {
    const type = c.attributes.type;
    if (type === undefined) throw err("XML_ERROR", "Missing capability type");
    if (type === "mdev_types") mdevTypes(c);
  }
}

/** virNodeDevCapAPAdapterParseXML, and virNodeDevCapAPQueueParseXML's domain. */
function apAdapter(el: XmlElement, dev: string, queue: boolean): void {
  const fields = queue ? ["ap-adapter", "ap-domain"] : ["ap-adapter"];
  for (const name of fields) {
    const v = text(el, name);
    if (v === undefined) throw err("CONFIG_UNSUPPORTED", `missing ${name} value for '${dev}'`);
    const n = parseUIntPositive(v, 0);
    if (n === undefined) {
      throw err("CONFIG_UNSUPPORTED", `invalid ${name} value '${v}' for '${dev}'`);
    }
    if (name === "ap-domain" && n > 255) {
      throw err("CONFIG_UNSUPPORTED", `ap-domain value '${v}' is out of range for '${dev}'`);
    }
  }
}

const CHECKS: Record<string, (el: XmlElement, dev: string) => void> = {
  pci,
  usb_device: usbDevice,
  usb: usbInterface,
  net,
  scsi_target: scsiTarget,
  scsi,
  storage,
  drm,
  mdev,
  ccw: ccwAddress,
  css: (el, dev) => {
    ccwAddress(el, dev);
    mdevSubCaps(el);
    const channel = child(el, "channel_dev_addr");
    if (channel) ccwAddress(channel, dev);
  },
  ap_card: (el, dev) => apAdapter(el, dev, false),
  ap_queue: (el, dev) => apAdapter(el, dev, true),
  ap_matrix: (el) => mdevSubCaps(el),
};

/**
 * Runs libvirt's parser checks for a capability type this model does not hold; false when
 * `type` is not one of them (system, scsi_host, and the types libvirt has no parser for).
 *
 * @example
 * ```ts
 * import { checkCapability } from "./caps_check.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * checkCapability("drm", parse("<capability type='drm'><type>render</type></capability>"), "d"); // true
 * ```
 */
export function checkCapability(type: string, el: XmlElement, dev: string): boolean {
  const check = CHECKS[type];
  if (!check) return false;
  check(el, dev);
  return true;
}
