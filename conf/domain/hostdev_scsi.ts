/**
 * SCSI host devices placed as libvirt 9.0's generic post-parse does: a device without an
 * address takes the first unit (0 to 6) no SCSI disk or host device uses on the lowest SCSI
 * controller with one (virDomainHostdevAssignAddress, virDomainSCSIDriveAddressIsUsed), none
 * may sit on a SCSI disk's address, and every SCSI controller up to the highest one they use
 * exists (virDomainDefMaybeAddHostdevSCSIcontroller, of the model of theirs).
 *
 * @example
 * ```ts
 * import { placeScsiHostdevs } from "./hostdev_scsi.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * placeScsiHostdevs(def); // { controllers: 1, model: "virtio-scsi" }
 * ```
 * @module
 */
import type { DomainDef } from "./def.ts";
import { VirError } from "../../util/errors.ts";
import { child, element, type XmlElement } from "../../util/xml/mod.ts";

/** `SCSI_NARROW_BUS_MAX_CONT_UNIT`: the units the automatic placement tries. */
const MAX_UNIT = 7;

/** The highest unit and the unit its own of each controller model (virDomainSCSIDriveAddressIsUsed). */
const LIMITS: Record<string, { max?: number; reserved?: number }> = {
  "virtio-scsi": { max: 16383 },
  "virtio-transitional": { max: 16383 },
  "virtio-non-transitional": { max: 16383 },
  ibmvscsi: { max: 31, reserved: 7 },
  lsisas1068: { max: 1 },
  lsisas1078: { max: 255 },
  lsilogic: { reserved: 7 },
  vmpvscsi: { reserved: 7 },
  buslogic: { reserved: 7 },
  ncr53c90: { max: 6 },
  dc390: { max: 6 },
  am53c974: { max: 6 },
};

const isScsiHostdev = (d: XmlElement) =>
  d.name === "hostdev" && (d.attributes.mode ?? "subsystem") === "subsystem" &&
  d.attributes.type === "scsi";

const drive = (d: XmlElement) => {
  const a = child(d, "address")?.attributes;
  return a?.type === "drive"
    ? ["controller", "bus", "target", "unit"].map((k) => Number(a[k] ?? 0))
    : undefined;
};

const scsiController = (def: DomainDef, index: number) =>
  def.devices.other.find((d) =>
    d.name === "controller" && d.attributes.type === "scsi" &&
    Number(d.attributes.index ?? 0) === index
  );

/** The SCSI disks' and SCSI host devices' drive addresses. */
function scsiAddresses(def: DomainDef): { disks: number[][]; hostdevs: number[][] } {
  const of = (is: (d: XmlElement) => boolean) =>
    def.devices.other.filter(is).map(drive).filter((a) => a !== undefined);
  return {
    disks: of((d) => d.name === "disk" && child(d, "target")?.attributes.bus === "scsi"),
    hostdevs: of(isScsiHostdev),
  };
}

const same = (a: number[], b: number[]) => a.every((v, i) => v === b[i]);

/** virDomainSCSIDriveAddressIsUsed. */
function used(def: DomainDef, addr: number[]): boolean {
  const limits = LIMITS[scsiController(def, addr[0])?.attributes.model ?? ""] ?? {};
  if (limits.max !== undefined && addr[3] > limits.max) return true;
  if (limits.reserved !== undefined && addr[3] === limits.reserved) return true;
  const { disks, hostdevs } = scsiAddresses(def);
  return [...disks, ...hostdevs].some((a) => same(a, addr));
}

/**
 * Gives the SCSI host devices without an address theirs and checks them against the SCSI
 * disks; answers how many SCSI controllers they need and the model to give the missing ones.
 */
export function placeScsiHostdevs(def: DomainDef): { controllers: number; model?: string } {
  for (const dev of def.devices.other.filter(isScsiHostdev)) {
    if (!child(dev, "address")) {
      let controller = 0;
      let unit = -1;
      while (unit < 0) {
        unit = [...Array(MAX_UNIT).keys()].find((u) => !used(def, [controller, 0, 0, u])) ?? -1;
        if (unit < 0) controller++;
      }
      dev.children.push(element("address", {
        type: "drive",
        controller: String(controller),
        bus: "0",
        target: "0",
        unit: String(unit),
      }));
    }
    const addr = drive(dev);
    if (addr && scsiAddresses(def).disks.some((a) => same(a, addr))) {
      const [controller, bus, target, unit] = addr;
      throw VirError.report(
        "DOMAIN",
        "XML_ERROR",
        `SCSI host address controller='${controller}' bus='${bus}' target='${target}' ` +
          `unit='${unit}' in use by a SCSI disk`,
      );
    }
  }
  let max = -1;
  let model: string | undefined;
  for (const dev of def.devices.other.filter(isScsiHostdev)) {
    const controller = drive(dev)?.[0] ?? 0;
    if (controller <= max) continue;
    max = controller;
    model = scsiController(def, controller)?.attributes.model ?? model;
  }
  return { controllers: max + 1, model };
}
