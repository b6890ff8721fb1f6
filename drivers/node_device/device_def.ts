/**
 * A host device as libvirt's udev backend knows it (`virNodeDeviceDef` with the capabilities
 * that backend fills in), kept apart from `conf/node_device/` (the test driver's parse/format
 * model) because only this driver builds them: from sysfs, never from XML.
 *
 * @module
 */
import type { NetLink } from "../../util/net_link.ts";
import type { Vpd } from "./vpd.ts";
import type { PciAddress } from "../../util/pci/address.ts";

export type { PciAddress } from "../../util/pci/address.ts";

/** A PCI Express link (`virPCIELink`); `port` is -1 when unknown. */
export interface PcieLink {
  port: number;
  speed: number;
  width: number;
}

/** An mdev type a PCI device offers (`virMediatedDeviceType`). */
export interface MdevType {
  id: string;
  name?: string;
  deviceApi: string;
  availableInstances: number;
}

/** `<capability type='system'>`. */
export interface SystemCap {
  type: "system";
  product?: string;
  hardware: { vendor?: string; version?: string; serial?: string; uuid: string };
  firmware: { vendor?: string; version?: string; releaseDate?: string };
}

/** `<capability type='pci'>`. */
export interface PciCap extends PciAddress {
  type: "pci";
  klass: number;
  product: number;
  productName?: string;
  vendor: number;
  vendorName?: string;
  physFunction?: PciAddress;
  virtFunctions?: { max: number; addresses: PciAddress[] };
  /** Header type name when not an endpoint (`pci-bridge`, `cardbus-bridge`). */
  header?: string;
  mdevTypes: MdevType[];
  vpd?: Vpd;
  iommuGroup?: { number: number; addresses: PciAddress[] };
  numaNode: number;
  /** Set for PCI Express devices; the links only when the device has one. */
  pciExpress?: { cap?: PcieLink; sta?: PcieLink };
}

/** `<capability type='usb_device'>`. */
export interface UsbDeviceCap {
  type: "usb_device";
  bus: number;
  device: number;
  product: number;
  productName?: string;
  vendor: number;
  vendorName?: string;
}

/** `<capability type='usb'>` (a USB interface). */
export interface UsbInterfaceCap {
  type: "usb";
  number: number;
  klass: number;
  subclass: number;
  protocol: number;
}

/** `<capability type='net'>`. */
export interface NetCap {
  type: "net";
  ifname?: string;
  address?: string;
  link: NetLink;
  features: string[];
  subtype: "80203" | "80211";
}

/** `<capability type='scsi_host'>`. */
export interface ScsiHostCap {
  type: "scsi_host";
  host: number;
  uniqueId: number;
  fcHost?: { wwnn: string; wwpn: string; fabricWwn?: string };
  vportOps?: { maxVports: number; vports: number };
}

/** `<capability type='scsi_target'>`. */
export interface ScsiTargetCap {
  type: "scsi_target";
  name: string;
  rport?: { rport: string; wwpn: string };
}

/** `<capability type='scsi'>`. */
export interface ScsiCap {
  type: "scsi";
  host: number;
  bus: number;
  target: number;
  lun: number;
  scsiType?: string;
}

/** `<capability type='storage'>`. */
export interface StorageCap {
  type: "storage";
  block: string;
  bus?: string;
  driveType: string;
  model?: string;
  vendor?: string;
  serial?: string;
  size: bigint;
  logicalBlockSize: bigint;
  numBlocks: bigint;
  removable?: { mediaAvailable: boolean; mediaSize: bigint; mediaLabel?: string };
}

/** `<capability type='scsi_generic'>`. */
export interface ScsiGenericCap {
  type: "scsi_generic";
  path: string;
}

/** `<capability type='drm'>`. */
export interface DrmCap {
  type: "drm";
  drmType: string;
}

/** One capability of a host device. */
export type HostDevCap =
  | SystemCap
  | PciCap
  | UsbDeviceCap
  | UsbInterfaceCap
  | NetCap
  | ScsiHostCap
  | ScsiTargetCap
  | ScsiCap
  | StorageCap
  | ScsiGenericCap
  | DrmCap;

/** A host device (`virNodeDeviceDef`). */
export interface HostDevDef {
  name: string;
  /** `/sys/devices/…`; none for `computer`. */
  sysfsPath?: string;
  devnode?: string;
  devlinks: string[];
  parent?: string;
  driver?: string;
  caps: HostDevCap[];
}

/**
 * `virNodeDeviceCapsListExport`'s names: each capability, plus `fc_host`/`vports` of a SCSI
 * host and `mdev_types` of a PCI device offering some.
 *
 * @example
 * ```ts
 * import { capNames } from "./device_def.ts";
 * capNames({ name: "computer", devlinks: [], caps: [] }); // []
 * ```
 */
export function capNames(def: HostDevDef): string[] {
  const out: string[] = [];
  for (const cap of def.caps) {
    out.push(cap.type);
    if (cap.type === "scsi_host") {
      if (cap.fcHost) out.push("fc_host");
      if (cap.vportOps) out.push("vports");
    }
    if (cap.type === "pci" && cap.mdevTypes.length) out.push("mdev_types");
    if (cap.type === "pci" && cap.vpd) out.push("vpd");
  }
  return out;
}
