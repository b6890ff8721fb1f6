/**
 * One sysfs device into a host device, as libvirt's `udevAddOneDevice` does it: its type from
 * `DEVTYPE` or properties (`udevGetDeviceType`), the capability of that type, libvirt's name
 * (`nodeDeviceGenerateName`: subsystem, sysname and a suffix, non-alphanumerics as `_`), its
 * driver and device nodes. A device of no known type, or that its processing refuses, gives
 * undefined (libvirt's "Discarding device").
 *
 * Types not handled here (mdev, ccw, css, vdpa, AP) are s390/mediated-device hardware; such
 * devices are left out of the list.
 *
 * @module
 */
import type { HostDevCap, HostDevDef, NetCap, ScsiHostCap } from "./device_def.ts";
import { type EthtoolProbe, netFeatures } from "./ethtool.ts";
import { pciCap, sysfsNumber } from "./pci.ts";
import { storageCap } from "./storage.ts";
import { linkInfo } from "../../util/net_link.ts";
import type { Sysfs, UdevDevice } from "../../util/sysfs.ts";
import { udevError } from "./udev_error.ts";
import { VirError } from "../../util/errors.ts";

/** How the device list is read. */
export interface ProcessOptions {
  /** Root reads PCI config spaces (header type, PCI Express). */
  privileged: boolean;
  /** Offload features of network devices. */
  ethtool: EthtoolProbe;
  /** The pci.ids database (default: libpciaccess's). */
  pciIds?: string;
}

/** `udevGetDeviceType`. */
function deviceType(dev: UdevDevice): string | undefined {
  const byDevtype: Record<string, string> = {
    usb_device: "usb_device",
    usb_interface: "usb",
    scsi_host: "scsi_host",
    scsi_target: "scsi_target",
    scsi_device: "scsi",
    disk: "storage",
    wlan: "net",
    drm_minor: "drm",
  };
  if (dev.devtype !== undefined) return byDevtype[dev.devtype];
  let type: string | undefined;
  if (dev.props.has("PCI_CLASS")) type = "pci";
  if (dev.props.has("INTERFACE")) type = "net";
  if (dev.props.get("SUBSYSTEM") === "scsi_generic") type = "scsi_generic";
  return type;
}

/**
 * `nodeDeviceGenerateName`.
 *
 * @example
 * ```ts
 * import { deviceName } from "./udev_device.ts";
 * deviceName("net", "eth0", "52:54:00:ab:cd:ef"); // "net_eth0_52_54_00_ab_cd_ef"
 * ```
 */
export function deviceName(subsystem: string, sysname: string, suffix?: string): string {
  const raw = `${subsystem}_${sysname}${suffix === undefined ? "" : `_${suffix}`}`;
  return raw.replace(/[^A-Za-z0-9]/g, "_");
}

/** A required udev property as a number (`udevGetUintProperty`). */
function prop(dev: UdevDevice, key: string, base: 10 | 16): number {
  const v = dev.props.get(key);
  if (v === undefined) throw udevError(`Missing udev property '${key}' on '${dev.sysname}'`);
  return sysfsNumber(v, base);
}

/** An optional sysfs attribute as a number. */
function attrNum(sys: Sysfs, dev: UdevDevice, name: string, base: 10 | 16): number {
  const v = sys.attr(dev.syspath, name);
  return v === undefined ? 0 : sysfsNumber(v, base);
}

function netCap(sys: Sysfs, dev: UdevDevice, opts: ProcessOptions): NetCap {
  const ifname = dev.props.get("INTERFACE");
  const cap: NetCap = {
    type: "net",
    ifname,
    address: sys.attr(dev.syspath, "address") || undefined,
    link: {},
    features: [],
    subtype: dev.devtype === "wlan" ? "80211" : "80203",
  };
  if (ifname !== undefined) {
    cap.link = linkInfo(sys, ifname);
    cap.features = netFeatures(ifname, opts.ethtool);
  }
  return cap;
}

/** `virNodeDeviceGetSCSIHostCaps`: unique id, FC HBA WWNs, vport operations. */
function scsiHostCap(sys: Sysfs, host: number): ScsiHostCap {
  const uid = sys.attr(`/sys/class/scsi_host/host${host}`, "unique_id");
  const cap: ScsiHostCap = { type: "scsi_host", host, uniqueId: uid ? Number(uid) : -1 };
  const fc = `/sys/class/fc_host/host${host}`;
  // virVHBAGetConfig keeps what follows "0x".
  const wwn = (name: string) => sys.attr(fc, name)?.replace(/^.*?0x/, "");
  if (sys.exists(fc)) {
    const wwpn = wwn("port_name");
    const wwnn = wwn("node_name");
    if (wwpn && wwnn) cap.fcHost = { wwnn, wwpn, fabricWwn: wwn("fabric_name") };
  }
  if (sys.exists(`/sys/class/scsi_host/host${host}/vport_create`)) {
    const max = sys.attr(fc, "max_npiv_vports");
    const inuse = sys.attr(fc, "npiv_vports_inuse");
    if (max !== undefined && inuse !== undefined) {
      cap.vportOps = { maxVports: Number(max), vports: Number(inuse) };
    }
  }
  return cap;
}

const SCSI_TYPES: Record<number, string> = {
  0: "disk",
  1: "tape",
  3: "processor",
  4: "worm",
  5: "cdrom",
  6: "scanner",
  7: "mod",
  8: "changer",
  13: "enclosure",
  12: "raid",
};

/** The capability of `dev` and the suffix of its name, or undefined when libvirt skips it. */
function capability(
  sys: Sysfs,
  dev: UdevDevice,
  type: string,
  devnode: string | undefined,
  opts: ProcessOptions,
): { cap: HostDevCap; suffix?: string } | undefined {
  switch (type) {
    case "pci":
      return { cap: pciCap(sys, dev, opts.privileged, opts.pciIds) };
    case "usb_device": {
      const bus = prop(dev, "BUSNUM", 10);
      const device = prop(dev, "DEVNUM", 10);
      const vendor = prop(dev, "ID_VENDOR_ID", 16);
      const vendorName = dev.props.get("ID_VENDOR_FROM_DATABASE") ??
        (sys.attr(dev.syspath, "manufacturer") || undefined);
      const product = prop(dev, "ID_MODEL_ID", 16);
      const productName = dev.props.get("ID_MODEL_FROM_DATABASE") ??
        (sys.attr(dev.syspath, "product") || undefined);
      return {
        cap: { type: "usb_device", bus, device, vendor, vendorName, product, productName },
      };
    }
    case "usb":
      return {
        cap: {
          type: "usb",
          number: attrNum(sys, dev, "bInterfaceNumber", 16),
          klass: attrNum(sys, dev, "bInterfaceClass", 16),
          subclass: attrNum(sys, dev, "bInterfaceSubClass", 16),
          protocol: attrNum(sys, dev, "bInterfaceProtocol", 16),
        },
      };
    case "net": {
      const cap = netCap(sys, dev, opts);
      return { cap, suffix: cap.address };
    }
    case "scsi_host": {
      const m = /^host(\d+)$/.exec(dev.sysname);
      if (!m) throw udevError(`failed to parse SCSI host '${dev.sysname}'`);
      return { cap: scsiHostCap(sys, Number(m[1])) };
    }
    case "scsi_target":
      return { cap: { type: "scsi_target", name: dev.sysname } };
    case "scsi": {
      const m = /^(\d+):(\d+):(\d+):(\d+)$/.exec(dev.sysname);
      if (!m) {
        throw udevError(`failed to parse the SCSI address from filename: '${dev.sysname}'`);
      }
      const [host, bus, target, lun] = m.slice(1).map(Number);
      const t = sys.attr(dev.syspath, "type");
      const scsiType = t === undefined ? undefined : SCSI_TYPES[Number(t)];
      return { cap: { type: "scsi", host, bus, target, lun, scsiType } };
    }
    case "storage": {
      const cap = storageCap(sys, dev, devnode);
      return cap && { cap, suffix: cap.serial };
    }
    case "scsi_generic":
      return devnode ? { cap: { type: "scsi_generic", path: devnode } } : undefined;
    case "drm": {
      const kind = ["primary", "control", "render"][prop(dev, "MINOR", 10) >> 6];
      return kind ? { cap: { type: "drm", drmType: kind } } : undefined;
    }
  }
  return undefined;
}

/**
 * The host device of one sysfs device, without its parent (set from the whole list), or
 * undefined when libvirt would discard it.
 *
 * @example
 * ```ts
 * import { processDevice } from "./udev_device.ts";
 * import { Sysfs } from "../../util/sysfs.ts";
 * const sys = new Sysfs();
 * const dev = sys.device("/sys/devices/virtual/net/lo");
 * if (dev) processDevice(sys, dev, { privileged: false, ethtool: () => undefined });
 * ```
 */
export function processDevice(
  sys: Sysfs,
  dev: UdevDevice,
  opts: ProcessOptions,
): HostDevDef | undefined {
  const type = deviceType(dev);
  if (!type) return undefined;
  const devname = dev.props.get("DEVNAME");
  const devnode = devname === undefined
    ? undefined
    : devname.startsWith("/dev/")
    ? devname
    : `/dev/${devname}`;
  let result;
  try {
    result = capability(sys, dev, type, devnode, opts);
  } catch (e) {
    // libvirt discards a device it cannot process; anything else (a permission) is no such case.
    if (e instanceof VirError) return undefined;
    throw e;
  }
  if (!result) return undefined;
  return {
    name: deviceName(dev.subsystem ?? "", dev.sysname, result.suffix),
    sysfsPath: dev.syspath,
    devnode,
    devlinks: dev.devlinks,
    driver: sys.linkName(`${dev.syspath}/driver`),
    caps: [result.cap],
  };
}
