/**
 * libvirt 9.0's virDomainDefHostdevValidate: no host device assigned twice (the same PCI or USB
 * device, SCSI LUN, iSCSI target, vhost-scsi port, mediated device or capability; a hostdev
 * NIC's device counts among them), and at most one vGPU with a ramfb display.
 *
 * @example
 * ```ts
 * import { validateHostdevs } from "./hostdev_validate.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * validateHostdevs(def); // throws "Hostdev already exists in the domain configuration"
 * ```
 * @module
 */
import type { DomainDef } from "./def.ts";
import { VirError } from "../../util/errors.ts";
import { child, textOf, type XmlElement } from "../../util/xml/mod.ts";

/** One host device: its mode, type and `<source>`. */
interface Hostdev {
  mode: string;
  type: string;
  source?: XmlElement;
}

const num = (v: string | undefined) => Number(v ?? 0);
const attrs = (el: XmlElement | undefined) => el?.attributes ?? {};

/** What identifies the host device of each subsystem type (virDomainHostdevMatchSubsys*). */
const SUBSYS: Record<string, (a: XmlElement | undefined, b: XmlElement | undefined) => boolean> = {
  pci: (a, b) => {
    const [x, y] = [attrs(child(a, "address")), attrs(child(b, "address"))];
    return ["domain", "bus", "slot", "function"].every((k) => num(x[k]) === num(y[k]));
  },
  usb: (a, b) => {
    const [x, y] = [attrs(child(a, "address")), attrs(child(b, "address"))];
    if (num(x.bus) && num(x.device)) {
      return num(x.bus) === num(y.bus) && num(x.device) === num(y.device);
    }
    const id = (s: XmlElement | undefined, n: string) => num(attrs(child(s, n)).id);
    return id(a, "product") === id(b, "product") && id(a, "vendor") === id(b, "vendor");
  },
  scsi: (a, b) => {
    const [pa, pb] = [attrs(a).protocol, attrs(b).protocol];
    if (pa !== pb) return false;
    if (pa === "iscsi") {
      const [ha, hb] = [attrs(child(a, "host")), attrs(child(b, "host"))];
      return ha.name === hb.name && num(ha.port) === num(hb.port) &&
        attrs(a).name === attrs(b).name;
    }
    const [x, y] = [attrs(child(a, "address")), attrs(child(b, "address"))];
    return attrs(child(a, "adapter")).name === attrs(child(b, "adapter")).name &&
      ["bus", "target", "unit"].every((k) => num(x[k]) === num(y[k]));
  },
  scsi_host: (a, b) => attrs(a).protocol === attrs(b).protocol && attrs(a).wwpn === attrs(b).wwpn,
  mdev: (a, b) => attrs(child(a, "address")).uuid === attrs(child(b, "address")).uuid,
};

/** The element naming a capability device of each type (virDomainHostdevMatchCaps*). */
const CAPS: Record<string, string> = { storage: "block", misc: "char", net: "interface" };

function same(a: Hostdev, b: Hostdev): boolean {
  if (a.mode !== b.mode || a.type !== b.type) return false;
  if (a.mode === "subsystem") return SUBSYS[a.type]?.(a.source, b.source) ?? false;
  const name = CAPS[a.type];
  return name !== undefined && textOf(child(a.source, name)) === textOf(child(b.source, name));
}

/**
 * Throws libvirt's error for a host device given twice or a second ramfb vGPU.
 *
 * @example
 * ```ts
 * import { validateHostdevs } from "./hostdev_validate.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef; // two <hostdev>s of one PCI device
 * validateHostdevs(def); // throws "Hostdev already exists in the domain configuration"
 * ```
 */
export function validateHostdevs(def: DomainDef): void {
  const list: (Hostdev & { el?: XmlElement })[] = [
    ...def.devices.interfaces.filter((n) => n.type === "hostdev").map((n) => ({
      mode: "subsystem",
      type: child(n.hostdevSource, "address")?.attributes.type ??
        (child(n.hostdevSource, "vendor") ? "usb" : "pci"),
      source: n.hostdevSource,
    })),
    ...def.devices.other.filter((d) => d.name === "hostdev").map((el) => ({
      mode: el.attributes.mode ?? "subsystem",
      type: el.attributes.type ?? "",
      source: child(el, "source"),
      el,
    })),
  ];
  let ramfb = false;
  list.forEach((dev, i) => {
    if (list.slice(i + 1).some((other) => same(dev, other))) {
      throw VirError.report(
        "DOMAIN",
        "XML_ERROR",
        "Hostdev already exists in the domain configuration",
      );
    }
    if (dev.type === "mdev" && dev.el?.attributes.ramfb === "on") {
      if (ramfb) {
        throw VirError.report(
          "DOMAIN",
          "CONFIG_UNSUPPORTED",
          "Only one vgpu device can have 'ramfb' enabled",
        );
      }
      ramfb = true;
    }
  });
}

/** The address type of each mediated device model that has one. */
const MDEV_ADDRESSES: Record<string, string> = { "vfio-pci": "pci", "vfio-ccw": "ccw" };

/**
 * virDomainHostdevDefPostParse for mediated devices: a vfio-pci one sits on PCI, a vfio-ccw one
 * on CCW.
 *
 * @example
 * ```ts
 * import { checkMdevAddresses } from "./hostdev_validate.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * checkMdevAddresses(def); // throws for a vfio-pci mdev with a drive address
 * ```
 */
export function checkMdevAddresses(def: DomainDef): void {
  for (const dev of def.devices.other) {
    const { mode = "subsystem", type, model = "" } = dev.attributes;
    if (dev.name !== "hostdev" || mode !== "subsystem" || type !== "mdev") continue;
    const address = child(dev, "address")?.attributes.type;
    const bus = MDEV_ADDRESSES[model];
    if (bus && address !== undefined && address !== bus) {
      throw VirError.report(
        "DOMAIN",
        "XML_ERROR",
        `Unsupported address type '${address}' with mediated device model '${model}'`,
      );
    }
  }
}

/** A SCSI host device's drive address, as numbers (undefined for another address). */
function driveOf(dev: XmlElement): number[] | undefined {
  const a = child(dev, "address")?.attributes;
  if (a?.type !== "drive") return undefined;
  return ["controller", "bus", "target", "unit"].map((k) => num(a[k]));
}

/**
 * virDomainDefDuplicateDriveAddressesValidate for SCSI host devices: no two on one drive
 * address, none on a SCSI disk's. libvirt's message gives the bus as the controller and the
 * controller as the bus.
 *
 * @example
 * ```ts
 * import { validateScsiHostdevAddresses } from "./hostdev_validate.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * validateScsiHostdevAddresses(def); // throws "… in use by another SCSI host device"
 * ```
 */
export function validateScsiHostdevAddresses(def: DomainDef): void {
  const scsi = def.devices.other.filter((d) =>
    d.name === "hostdev" && (d.attributes.mode ?? "subsystem") === "subsystem" &&
    d.attributes.type === "scsi"
  );
  const disks = def.devices.other.filter((d) =>
    d.name === "disk" && child(d, "target")?.attributes.bus === "scsi"
  ).map(driveOf).filter((a) => a !== undefined);
  const same = (a: number[], b: number[] | undefined) => !!b && a.every((v, i) => v === b[i]);
  scsi.forEach((dev, i) => {
    const a = driveOf(dev);
    if (!a) return;
    const [controller, bus, target, unit] = a;
    const at = `SCSI host address controller='${bus}' bus='${controller}' target='${target}' ` +
      `unit='${unit}' in use by another SCSI`;
    if (scsi.slice(i + 1).some((other) => same(a, driveOf(other)))) {
      throw VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", `${at} host device`);
    }
    if (disks.some((d) => same(a, d))) {
      throw VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", `${at} disk`);
    }
  });
}
