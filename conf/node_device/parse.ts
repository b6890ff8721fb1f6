import { VirError } from "../../util/errors.ts";
import { child, children, childText, parse, type XmlElement } from "../../util/xml/mod.ts";
import { parseInt32, parseUUID } from "../common/mod.ts";
import type { NodeDeviceCap, NodeDeviceDef } from "./model.ts";

const err = (code: string, msg: string) => VirError.report("NODEDEV", code, msg);

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
  const uuidText = childText(hw, "uuid");
  const uuid = uuidText === undefined ? undefined : parseUUID(uuidText);
  if (!uuid) throw err("INTERNAL_ERROR", `malformed uuid element for '${dev}'`);
  return {
    type: "system",
    product: childText(el, "product"),
    hardware: {
      vendor: childText(hw, "vendor"),
      version: childText(hw, "version"),
      serial: childText(hw, "serial"),
      uuid,
    },
    firmware: {
      vendor: childText(fw, "vendor"),
      version: childText(fw, "version"),
      releaseDate: childText(fw, "release_date"),
    },
  };
}

/** virNodeDevCap's names, by enum value. */
const CAP_TYPES = (
  "system pci usb_device usb net scsi_host scsi_target scsi storage fc_host vports " +
  "scsi_generic drm mdev_types mdev ccw css vdpa ap_card ap_queue ap_matrix vpd"
).split(" ");
const NO_PARSER = new Set(["fc_host", "vports", "scsi_generic", "mdev_types", "vdpa", "vpd"]);

/**
 * Parses a `<device>` document (virNodeDeviceDefParse) for the capability types this
 * implementation models: `system` and `scsi_host` (with `fc_host` / `vport_ops`).
 *
 * @example
 * ```ts
 * import { parseNodeDeviceXML } from "./parse.ts";
 * parseNodeDeviceXML("<device><name>scsi_host9</name><capability type='scsi_host'><host>9</host></capability></device>")
 *   .caps[0].type; // "scsi_host"
 * ```
 *
 * `create` is virNodeDeviceDefParse's CREATE_DEVICE: the name becomes "new device".
 */
export function parseNodeDeviceXML(xml: string, _flags = 0, create = false): NodeDeviceDef {
  const root = parse(xml, {
    context: "(node_device_definition)",
    errorDomain: "NODEDEV",
    expectRoot: "device",
  });
  // virNodeDeviceDefParse names a device being created "new device", whatever the XML says.
  const name = create ? "new device" : childText(root, "name") ?? "new device";
  const capEls = children(root, "capability");
  if (!capEls.length) throw err("INTERNAL_ERROR", `no device capabilities for '${name}'`);
  const caps = capEls.map((c) => {
    const type = c.attributes.type;
    if (type === undefined) {
      throw err("XML_ERROR", "Missing required attribute 'type' in element 'capability'");
    }
    if (type === "system") return parseSystem(c, name);
    if (type === "scsi_host") return parseScsiHost(c, name, create);
    const index = CAP_TYPES.indexOf(type);
    if (index < 0) {
      throw err(
        "XML_ERROR",
        `Invalid value for attribute 'type' in element 'capability': '${type}'.`,
      );
    }
    // Sub-capabilities (fc_host, vports, …) have no parser of their own in libvirt.
    if (NO_PARSER.has(type)) {
      throw err("INTERNAL_ERROR", `unknown capability type '${index}' for '${name}'`);
    }
    throw err("CONFIG_UNSUPPORTED", `unknown capability type '${type}'`);
  });
  return { name, parent: childText(root, "parent"), caps };
}
