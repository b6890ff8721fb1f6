/**
 * The generic disk checks of libvirt 9.0 that apply whatever the hypervisor: a disk's target
 * (virDomainDiskDefValidate), its sources' credentials and encryption
 * (virDomainDiskDefValidateSourceChainOne), the address type its bus takes
 * (virDomainDiskAddressDiskBusCompatibility), and, over the whole domain, repeated targets
 * (virDomainDefDuplicateDiskInfoValidate) and drive addresses
 * (virDomainDefDuplicateDriveAddressesValidate).
 *
 * @example
 * ```ts
 * import { validateDiskTarget } from "./disk_validate.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * validateDiskTarget(parse("<disk type='file'><source file='/a.img'/></disk>"));
 * // throws "missing target information for device /a.img"
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { child, children, textOf, type XmlElement } from "../../util/xml/mod.ts";
import type { DomainDef } from "./def.ts";
import { iotuneOf } from "./iotune.ts";

const unsupported = (message: string) => VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", message);

/**
 * virDomainDiskGetSource: the path of a disk's source (a network source's name without the
 * pool of a gluster or RBD one), undefined for none or a pool volume.
 */
function sourcePath(disk: XmlElement): string | undefined {
  const a = child(disk, "source")?.attributes ?? {};
  const path = a.file ?? a.dev ?? a.dir ?? a.name;
  if (a.protocol === "gluster" || a.protocol === "rbd") return path?.slice(path.indexOf("/") + 1);
  return path || undefined;
}

/** Throws libvirt's VIR_ERR_NO_TARGET for a disk without a target name. */
export function validateDiskTarget(disk: XmlElement): void {
  if (child(disk, "target")?.attributes.dev) return;
  const source = child(disk, "source")?.attributes ?? {};
  const detail = source.pool !== undefined
    ? `pool = '${source.pool}', volume = '${source.volume}'`
    : sourcePath(disk);
  throw VirError.report("DOMAIN", "NO_TARGET", detail);
}

/** virSecretUsageType names. */
const SECRET_USAGES = ["none", "volume", "ceph", "iscsi", "tls", "vtpm"];

/** The secret usage each protocol's credentials must name. */
const PROTOCOL_USAGE: Record<string, string> = { iscsi: "iscsi", rbd: "ceph" };

/** Protocols QEMU takes credentials for. */
const AUTH_PROTOCOLS = ["iscsi", "http", "https", "ftp", "ftps", "ssh", "rbd"];

/**
 * virDomainDiskDefValidateSource for a disk's own source and each member of its chain: network
 * credentials of a protocol that takes them, naming a known secret usage (the protocol's own
 * for iSCSI and RBD); no cipher for a LUKS image (QEMU picks it).
 */
export function validateDiskSources(disk: XmlElement): void {
  const source = child(disk, "source");
  const members = [{
    type: disk.attributes.type,
    source,
    auth: child(disk, "auth") ?? child(source, "auth"),
    encryption: child(disk, "encryption") ?? child(source, "encryption"),
  }];
  for (let b = child(disk, "backingStore"); b?.attributes.type; b = child(b, "backingStore")) {
    const src = child(b, "source");
    members.push({
      type: b.attributes.type,
      source: src,
      auth: child(src, "auth"),
      encryption: child(src, "encryption"),
    });
  }
  for (const { type, source, auth, encryption } of members) {
    if (type === "network" && auth) checkAuth(auth, source?.attributes.protocol);
    if (encryption?.attributes.format === "luks" && child(encryption, "cipher")) {
      throw unsupported("supplying <cipher> for domain disk definition is unnecessary");
    }
  }
}

function checkAuth(auth: XmlElement, protocol: string | undefined): void {
  if (protocol !== undefined && !AUTH_PROTOCOLS.includes(protocol)) {
    throw unsupported(`authentication is not supported for protocol '${protocol}'`);
  }
  const usage = child(auth, "secret")?.attributes.type;
  if (usage === undefined || !SECRET_USAGES.includes(usage)) {
    throw unsupported(`unknown secret type '${usage ?? "<null>"}'`);
  }
  const wanted = protocol && PROTOCOL_USAGE[protocol];
  if (wanted && usage !== wanted) throw unsupported(`invalid secret type '${usage}'`);
}

/**
 * virDomainDiskDefValidate's `<iotune>` rule: a total limit excludes the read and write ones of
 * its kind.
 */
export function validateDiskIotune(disk: XmlElement): void {
  const info = iotuneOf(disk);
  for (const kind of ["bytes_sec", "iops_sec", "bytes_sec_max", "iops_sec_max"]) {
    if (info[`total_${kind}`] && (info[`read_${kind}`] || info[`write_${kind}`])) {
      throw VirError.report(
        "DOMAIN",
        "XML_ERROR",
        `total and read/write ${kind} cannot be set at the same time`,
      );
    }
  }
}

/**
 * virSecurityDeviceLabelDefValidate, for the disk's source and each member of its chain: a
 * source may override the label of a model only where the domain relabels with it.
 */
export function validateDiskSeclabels(disk: XmlElement, def: DomainDef): void {
  const fixed = def.sections.filter((s) => s.name === "seclabel" && s.attributes.relabel === "no");
  if (!fixed.length) return;
  const sources = [child(disk, "source")];
  for (let b = child(disk, "backingStore"); b?.attributes.type; b = child(b, "backingStore")) {
    sources.push(child(b, "source"));
  }
  for (const label of sources.flatMap((s) => children(s, "seclabel"))) {
    if (fixed.some((f) => f.attributes.model === label.attributes.model)) {
      throw unsupported("label overrides require relabeling to be enabled at the domain level");
    }
  }
}

/** VENDOR_LEN and PRODUCT_LEN: what SCSI INQUIRY data holds. */
const ID_LIMITS: [string, number][] = [["vendor", 8], ["product", 16]];

/** The target name prefixes of hard disks (virDomainDiskDefValidate). */
const DISK_PREFIXES = ["hd", "sd", "vd", "xvd", "ubd"];

/**
 * The rest of virDomainDiskDefValidate, in its order: a tray opens on removable media only,
 * vendor and product are printable and short enough, floppies and the floppy bus go together,
 * `removable` is a USB disk's, a WWN is 16 hex digits, target names fit the device.
 */
export function validateDiskTail(disk: XmlElement): void {
  const device = disk.attributes.device ?? "disk";
  const { tray, bus, removable, dev = "" } = child(disk, "target")?.attributes ?? {};
  if (tray === "open" && device !== "floppy" && device !== "cdrom") {
    throw unsupported("tray is only valid for cdrom and floppy");
  }
  for (const [name, max] of ID_LIMITS) {
    const text = textOf(child(disk, name));
    if (text === undefined) continue;
    if (!/^[\x20-\x7e]*$/.test(text)) {
      throw VirError.report("DOMAIN", "XML_ERROR", `disk ${name} is not printable string`);
    }
    if (new TextEncoder().encode(text).length > max) {
      throw unsupported(`disk ${name} is more than ${max} characters`);
    }
  }
  if (device === "floppy" && bus !== "fdc") {
    throw VirError.report("DOMAIN", "INTERNAL_ERROR", `Invalid bus type '${bus}' for floppy disk`);
  }
  if (device !== "floppy" && bus === "fdc") {
    throw VirError.report("DOMAIN", "INTERNAL_ERROR", `Invalid bus type '${bus}' for disk`);
  }
  if (removable !== undefined && bus !== "usb") {
    throw VirError.report("DOMAIN", "XML_ERROR", "removable is only valid for usb disks");
  }
  const wwn = textOf(child(disk, "wwn"));
  if (wwn !== undefined && !/^(0x)?[0-9a-fA-F]{16}$/.test(wwn)) {
    throw VirError.report("NONE", "INTERNAL_ERROR", `Malformed wwn: ${wwn}`);
  }
  if ((device === "disk" || device === "lun") && !DISK_PREFIXES.some((p) => dev.startsWith(p))) {
    throw VirError.report("DOMAIN", "INTERNAL_ERROR", `Invalid harddisk device name: ${dev}`);
  }
  if (device === "floppy" && !dev.startsWith("fd")) {
    throw VirError.report("DOMAIN", "INTERNAL_ERROR", `Invalid floppy device name: ${dev}`);
  }
}

/** The buses whose disks sit at a `drive` address only. */
const DRIVE_BUSES = ["ide", "fdc", "scsi", "sata"];

/** virDomainDiskAddressDiskBusCompatibility: an IDE, floppy, SCSI or SATA disk's address. */
export function validateDiskAddressBus(disk: XmlElement): void {
  const type = child(disk, "address")?.attributes.type;
  const { bus, dev } = child(disk, "target")?.attributes ?? {};
  if (type === undefined || type === "drive" || !DRIVE_BUSES.includes(bus ?? "")) return;
  throw unsupported(
    `Invalid address type '${type}' for the disk '${dev}' with the bus type '${bus}'`,
  );
}

/** A disk's drive address as libvirt compares it (controller, bus, target, unit). */
function driveAddress(disk: XmlElement): number[] | undefined {
  const a = child(disk, "address")?.attributes;
  if (a?.type !== "drive") return undefined;
  return [a.controller, a.bus, a.target, a.unit].map((v) => Number(v ?? 0));
}

/**
 * The domain-wide disk checks: no target name twice, then no drive address twice on one bus,
 * nor a SCSI host device's taken by another or by a SCSI disk.
 *
 * @example
 * ```ts
 * import { validateDiskDuplicates } from "./disk_validate.ts";
 * declare const def: import("./def.ts").DomainDef;
 * validateDiskDuplicates(def); // throws "target 'vda' duplicated for disk sources …" for a repeat
 * ```
 */
export function validateDiskDuplicates(def: DomainDef): void {
  const disks = def.devices.other.filter((d) => d.name === "disk");
  const dst = (d: XmlElement) => child(d, "target")?.attributes.dev;
  disks.forEach((a, i) => {
    const b = disks.slice(i + 1).find((o) => dst(o) === dst(a));
    if (!b) return;
    throw VirError.report(
      "DOMAIN",
      "XML_ERROR",
      `target '${dst(a)}' duplicated for disk sources '${sourcePath(a) ?? "<null>"}' and '${
        sourcePath(b) ?? "<null>"
      }'`,
    );
  });
  disks.forEach((a, i) => {
    const addr = driveAddress(a);
    if (!addr) return;
    const bus = child(a, "target")?.attributes.bus;
    const clash = disks.slice(i + 1).some((b) =>
      child(b, "target")?.attributes.bus === bus && driveAddress(b)?.join() === addr.join()
    );
    if (!clash) return;
    const [controller, b, target, unit] = addr;
    throw unsupported(
      `Found duplicate drive address for disk with target name '${dst(a)}' ` +
        `controller='${controller}' bus='${b}' target='${target}' unit='${unit}'`,
    );
  });
  // Then each SCSI host device's drive address, against the later ones and the SCSI disks.
  const hostdevs = def.devices.other.filter((d) =>
    d.name === "hostdev" && (d.attributes.mode ?? "subsystem") === "subsystem" &&
    d.attributes.type === "scsi"
  );
  hostdevs.forEach((h, i) => {
    const addr = driveAddress(h);
    if (!addr) return;
    const same = (d: XmlElement) => driveAddress(d)?.join() === addr.join();
    const other = hostdevs.slice(i + 1).some(same)
      ? "host device"
      : disks.some((d) => child(d, "target")?.attributes.bus === "scsi" && same(d))
      ? "disk"
      : undefined;
    if (!other) return;
    // libvirt's message gives the bus as the controller and the controller as the bus.
    const [controller, b, target, unit] = addr;
    throw unsupported(
      `SCSI host address controller='${b}' bus='${controller}' target='${target}' ` +
        `unit='${unit}' in use by another SCSI ${other}`,
    );
  });
}
