import { VirError } from "../../util/errors.ts";
import { child, children, childText, parse, type XmlElement } from "../../util/xml/mod.ts";
import { parseInt32, parseUUID } from "../common/mod.ts";
import type { NodeDeviceCap, NodeDeviceDef } from "./model.ts";

const err = (code: string, msg: string) => VirError.report("NODEDEV", code, msg);

function parseScsiHost(el: XmlElement, dev: string): NodeDeviceCap {
  const host = parseInt32(childText(el, "host"));
  if (host === undefined) {
    throw err("INTERNAL_ERROR", `no host number supplied for '${dev}'`);
  }
  const cap: NodeDeviceCap = { type: "scsi_host", host };
  const uid = childText(el, "unique_id");
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
 */
export function parseNodeDeviceXML(xml: string, _flags = 0): NodeDeviceDef {
  const root = parse(xml, {
    context: "(node_device_definition)",
    errorDomain: "NODEDEV",
    expectRoot: "device",
  });
  const name = childText(root, "name") ?? "new device";
  const capEls = children(root, "capability");
  if (!capEls.length) throw err("INTERNAL_ERROR", `no device capabilities for '${name}'`);
  const caps = capEls.map((c) => {
    const type = c.attributes.type;
    if (type === undefined) throw err("INTERNAL_ERROR", `missing capability type`);
    if (type === "system") return parseSystem(c, name);
    if (type === "scsi_host") return parseScsiHost(c, name);
    throw err("CONFIG_UNSUPPORTED", `unknown capability type '${type}'`);
  });
  return { name, parent: childText(root, "parent"), caps };
}
