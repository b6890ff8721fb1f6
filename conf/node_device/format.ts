import { element, stringify, type XmlElement } from "../../util/xml/mod.ts";
import type { NodeDeviceCap, NodeDeviceDef } from "./model.ts";

const text = (name: string, v: string | number | undefined) =>
  v !== undefined && element(name, {}, [String(v)]);

function formatCap(cap: NodeDeviceCap): XmlElement {
  if (cap.type === "system") {
    return element("capability", { type: "system" }, [
      text("product", cap.product),
      element("hardware", {}, [
        text("vendor", cap.hardware.vendor),
        text("version", cap.hardware.version),
        text("serial", cap.hardware.serial),
        text("uuid", cap.hardware.uuid),
      ]),
      element("firmware", {}, [
        text("vendor", cap.firmware.vendor),
        text("version", cap.firmware.version),
        text("release_date", cap.firmware.releaseDate),
      ]),
    ]);
  }
  return element("capability", { type: "scsi_host" }, [
    text("host", cap.host),
    cap.uniqueId !== undefined && cap.uniqueId !== -1 && text("unique_id", cap.uniqueId),
    cap.fcHost && element("capability", { type: "fc_host" }, [
      text("wwnn", cap.fcHost.wwnn),
      text("wwpn", cap.fcHost.wwpn),
      text("fabric_wwn", cap.fcHost.fabricWwn),
    ]),
    cap.vportOps && element("capability", { type: "vport_ops" }, [
      text("max_vports", cap.vportOps.maxVports),
      text("vports", cap.vportOps.vports),
    ]),
  ]);
}

/**
 * Formats a node device like libvirt 9.0's virNodeDeviceDefFormat.
 *
 * @example
 * ```ts
 * import { formatNodeDeviceXML } from "./format.ts";
 * formatNodeDeviceXML({ name: "scsi_host9", parent: "computer", caps: [{ type: "scsi_host", host: 9 }] });
 * ```
 */
export function formatNodeDeviceXML(def: NodeDeviceDef, _flags = 0): string {
  return stringify(element("device", {}, [
    element("name", {}, [def.name]),
    def.parent !== undefined && element("parent", {}, [def.parent]),
    ...def.caps.map(formatCap),
  ]));
}
