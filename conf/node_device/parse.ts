import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import { child, children, childText, parse, type XmlElement } from "../../util/xml/mod.ts";
import { parseInt32, parseUUID, xmlPropEnum, xpathString } from "../common/mod.ts";

import { checkCapability } from "./caps_check.ts";
import { validateNodeDevice } from "./rng_schema.ts";
import type { NodeDeviceCap, NodeDeviceDef } from "./model.ts";

const err = (code: string, msg?: string) => VirError.report("NODEDEV", code, msg);

/**
 * virNodeDevCapSCSIHostParseXML: an existing device's `<host>` number is required, a device
 * being created (`create`) has none yet and its `<host>`/`<unique_id>` are not read.
 */
function parseScsiHost(el: XmlElement, dev: string, create: boolean): NodeDeviceCap {
  const hostText = create ? undefined : childText(el, "host");
  const host = parseInt32(hostText);
  if (!create && (host === undefined || host < 0)) {
    const what = hostText === undefined || hostText === "" ? "no" : "invalid";
    throw err("INTERNAL_ERROR", `${what} SCSI host ID supplied for '${dev}'`);
  }
  const cap: NodeDeviceCap = { type: "scsi_host", host: host ?? 0 };
  const uid = create ? undefined : childText(el, "unique_id");
  if (uid !== undefined) {
    const u = parseInt32(uid);
    if (u === undefined) {
      throw err("INTERNAL_ERROR", `invalid unique_id supplied for '${dev}'`);
    }
    cap.uniqueId = u;
  }
  for (const sub of children(el, "capability")) {
    const t = sub.attributes.type;
    if (t === "fc_host") {
      const wwnn = childText(sub, "wwnn");
      const wwpn = childText(sub, "wwpn");
      if (wwnn === undefined) throw err("INTERNAL_ERROR", `no WWNN supplied for '${dev}'`);
      if (wwpn === undefined) throw err("INTERNAL_ERROR", `no WWPN supplied for '${dev}'`);
      cap.fcHost = { wwnn, wwpn, fabricWwn: childText(sub, "fabric_wwn") };
    } else if (t === "vport_ops") {
      // libvirt only notes the capability; the counts come from sysfs, which the XML never
      // feeds, so they read 0 whatever the document says.
      cap.vportOps = { maxVports: 0, vports: 0 };
    } else {
      throw err("INTERNAL_ERROR", `unknown SCSI host capability type '${t}' for '${dev}'`);
    }
  }
  return cap;
}

function parseSystem(el: XmlElement, dev: string): NodeDeviceCap {
  const hw = child(el, "hardware");
  const fw = child(el, "firmware");
  const uuidText = xpathString(hw, "uuid");
  if (uuidText === undefined) {
    throw err("INTERNAL_ERROR", `no system UUID supplied for '${dev}'`);
  }
  const uuid = parseUUID(uuidText);
  if (!uuid) throw err("INTERNAL_ERROR", `malformed uuid element for '${dev}'`);
  return {
    type: "system",
    product: xpathString(el, "product"),
    hardware: {
      vendor: xpathString(hw, "vendor"),
      version: xpathString(hw, "version"),
      serial: xpathString(hw, "serial"),
      uuid,
    },
    firmware: {
      vendor: xpathString(fw, "vendor"),
      version: xpathString(fw, "version"),
      releaseDate: xpathString(fw, "release_date"),
    },
  };
}

/** virNodeDevCap's names, by enum value. */
const CAP_TYPES = (
  "system pci usb_device usb net scsi_host scsi_target scsi storage fc_host vports " +
  "scsi_generic drm mdev_types mdev ccw css vdpa ap_card ap_queue ap_matrix vpd"
).split(" ");

/** virNodeDeviceDefParseXML's checks of `<devnode>` and `<parent>`. */
function checkDevnodesAndParent(root: XmlElement): void {
  for (const d of children(root, "devnode")) xmlPropEnum(d, "type", ["dev", "link"], true);
  const parent = child(root, "parent");
  const wwnn = parent?.attributes.wwnn || undefined;
  const wwpn = parent?.attributes.wwpn || undefined;
  if (wwnn && !wwpn) {
    throw err(
      "XML_ERROR",
      `when providing parent wwnn='${wwnn}', the wwpn must also be provided`,
    );
  }
  if (!wwnn && wwpn) {
    throw err(
      "XML_ERROR",
      `when providing parent wwpn='${wwpn}', the wwnn must also be provided`,
    );
  }
}

/**
 * Parses a `<device>` document (virNodeDeviceDefParse). Every capability type is checked as
 * libvirt 9.0 checks it, with its errors; the model holds `system` and `scsi_host` (with
 * `fc_host` / `vport_ops`). `create` is virNodeDeviceDefParse's CREATE_DEVICE: the name becomes
 * "new device", and capabilities of the other types are checked and left out, as no creation
 * reads them (a vHBA is made from the scsi_host's WWNs; libvirt refuses the rest, or hands a
 * mediated device to mdevctl, which edgevirt refuses). A definition that is kept (a node
 * file's device) with another type is refused: it could not be shown. `flags` are the create
 * or define call's: their VALIDATE bit checks the document against nodedev.rng after the root.
 *
 * @example
 * ```ts
 * import { parseNodeDeviceXML } from "./parse.ts";
 * parseNodeDeviceXML("<device><name>scsi_host9</name><capability type='scsi_host'><host>9</host></capability></device>")
 *   .caps[0].type; // "scsi_host"
 * ```
 */
export function parseNodeDeviceXML(xml: string, flags = 0, create = false): NodeDeviceDef {
  const root = parse(xml, {
    context: "(node_device_definition)",
    errorDomain: "NODEDEV",
    expectRoot: "device",
  });
  // CREATE_XML_VALIDATE and DEFINE_XML_VALIDATE are the same bit: libvirt checks the
  // document against nodedev.rng here, after its root.
  if (flags & VIR.NODE_DEVICE_CREATE_XML_VALIDATE) validateNodeDevice(root);
  const name = create ? "new device" : xpathString(root, "name");
  if (name === undefined) throw err("NO_NAME");
  checkDevnodesAndParent(root);
  const capEls = children(root, "capability");
  if (!capEls.length) throw err("INTERNAL_ERROR", `no device capabilities for '${name}'`);
  const caps: NodeDeviceCap[] = [];
  const unheld: string[] = [];
  for (const c of capEls) {
    const type = xmlPropEnum(c, "type", CAP_TYPES, true)!;
    if (type === "system") caps.push(parseSystem(c, name));
    else if (type === "scsi_host") caps.push(parseScsiHost(c, name, create));
    else if (checkCapability(type, c, name)) unheld.push(type);
    // Sub-capabilities (fc_host, vports, …) have no parser of their own in libvirt.
    else {throw err(
        "INTERNAL_ERROR",
        `unknown capability type '${CAP_TYPES.indexOf(type)}' for '${name}'`,
      );}
  }
  if (!create && unheld.length) {
    throw err("CONFIG_UNSUPPORTED", `unknown capability type '${unheld[0]}'`);
  }
  return { name, parent: childText(root, "parent"), caps };
}
