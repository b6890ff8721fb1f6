/**
 * The QMP arguments of a hot-plugged disk as libvirt 9.0 builds them: the `blockdev-add` of
 * its storage and format nodes (`qemuBlockStorageSourceGetBackendProps`,
 * `qemuBlockStorageSourceGetBlockdevFormatProps`) and the `device_add` of its frontend
 * (`qemuBuildDiskDeviceProps`). Nodes are named `libvirt-N-storage` / `libvirt-N-format` by the
 * source's `index='N'` in the live XML, as libvirt names them.
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { VirError } from "../../../util/errors.ts";
import { child, type XmlElement } from "../../../util/xml/mod.ts";
import { isQ35 } from "../default_devices.ts";

/** The two block nodes of one disk source. */
export interface DiskNodes {
  storage: string;
  format: string;
}

/** libvirt's node names for source index `n`. */
export function diskNodes(n: number): DiskNodes {
  return { storage: `libvirt-${n}-storage`, format: `libvirt-${n}-format` };
}

/** The source index of a disk (`<source index='N'>`), undefined for one without blockdev nodes. */
export function sourceIndex(disk: XmlElement): number | undefined {
  const index = child(disk, "source")?.attributes.index;
  return index === undefined ? undefined : Number(index);
}

/**
 * The next free source index of a running domain (libvirt's `nodenameindex`): past every index
 * the live XML shows and past the disks started on the command line, which libvirt numbers
 * from 1 too.
 *
 * @example
 * ```ts
 * import { nextSourceIndex } from "./device_disk.ts";
 * declare const def: import("../../../conf/domain/def.ts").DomainDef;
 * nextSourceIndex(def); // 2 for a domain started with one disk
 * ```
 */
export function nextSourceIndex(def: DomainDef): number {
  const disks = def.devices.other.filter((d) => d.name === "disk");
  const indexed = disks.map(sourceIndex).filter((n): n is number => n !== undefined);
  return Math.max(disks.length - indexed.length, ...indexed, 0) + 1;
}

/**
 * `qemuDomainDiskCachemodeFlags`: writeback, direct and no-flush of each cache mode.
 */
const CACHE_MODES: Record<string, [boolean, boolean, boolean]> = {
  none: [true, true, false],
  writethrough: [false, false, false],
  writeback: [true, false, false],
  directsync: [false, true, false],
  unsafe: [true, false, true],
};

/** Driver attributes the hotplug path honours; any other is refused, never dropped. */
const HONOURED_DRIVER_ATTRS = new Set(["name", "type", "cache"]);

/** The file path of a disk's source, or libvirt's refusal for a source hotplug cannot open. */
export function diskFile(disk: XmlElement): string | undefined {
  const type = disk.attributes.type ?? "file";
  if (type !== "file") {
    throw VirError.report(
      "QEMU",
      "CONFIG_UNSUPPORTED",
      `disk type '${type}' is not supported with this QEMU binary`,
    );
  }
  return child(disk, "source")?.attributes.file;
}

/**
 * The two `blockdev-add` argument objects (storage, then format) of a file-backed disk.
 *
 * @example
 * ```ts
 * import { blockdevProps } from "./device_disk.ts";
 * import { element } from "../../../util/xml/mod.ts";
 * const disk = element("disk", { type: "file", device: "disk" }, [
 *   element("driver", { name: "qemu", type: "qcow2" }),
 *   element("source", { file: "/var/lib/a.qcow2", index: "2" }),
 *   element("target", { dev: "vdb", bus: "virtio" }),
 * ]);
 * const [storage, format] = blockdevProps(disk);
 * format.driver; // "qcow2"
 * ```
 */
export function blockdevProps(
  disk: XmlElement,
): [Record<string, unknown>, Record<string, unknown>] {
  const file = diskFile(disk);
  const n = sourceIndex(disk);
  if (!file || n === undefined) {
    throw VirError.report("QEMU", "INTERNAL_ERROR", "disk has no source to attach");
  }
  const driver = child(disk, "driver")?.attributes ?? {};
  const extra = Object.keys(driver).find((k) => !HONOURED_DRIVER_ATTRS.has(k));
  if (extra) {
    throw VirError.report(
      "QEMU",
      "CONFIG_UNSUPPORTED",
      `disk driver attribute '${extra}' is not supported with this QEMU binary`,
    );
  }
  const format = driver.type ?? "raw";
  if (format !== "raw" && format !== "qcow2") {
    throw VirError.report(
      "QEMU",
      "CONFIG_UNSUPPORTED",
      `unsupported disk format '${format}' with this QEMU binary`,
    );
  }
  const mode = driver.cache && driver.cache !== "default" ? CACHE_MODES[driver.cache] : undefined;
  const cache = mode ? { cache: { direct: mode[1], "no-flush": mode[2] } } : {};
  const nodes = diskNodes(n);
  const readOnly = disk.attributes.device === "cdrom" || child(disk, "readonly") !== undefined;
  return [
    {
      driver: "file",
      filename: file,
      "node-name": nodes.storage,
      ...cache,
      "auto-read-only": true,
      discard: "unmap",
    },
    {
      "node-name": nodes.format,
      "read-only": readOnly,
      ...cache,
      driver: format,
      file: nodes.storage,
    },
  ];
}

/**
 * `bus`/`addr` of a PCI address, on the bus QEMU calls the controller by.
 *
 * @example
 * ```ts
 * import { pciProps } from "./device_disk.ts";
 * declare const def: import("../../../conf/domain/def.ts").DomainDef;
 * pciProps(def, { bus: "0x00", slot: "0x03" }); // { bus: "pci.0", addr: "0x3" } on i440fx
 * ```
 */
export function pciProps(def: DomainDef, address: Record<string, string>): Record<string, unknown> {
  const bus = Number(address.bus ?? 0);
  const slot = Number(address.slot ?? 0);
  const fn = Number(address.function ?? 0);
  const root = isQ35(def) ? "pcie.0" : "pci.0";
  return {
    bus: bus ? `pci.${bus}` : root,
    addr: fn ? `0x${slot.toString(16)}.0x${fn.toString(16)}` : `0x${slot.toString(16)}`,
  };
}

/**
 * The `device_add` arguments of a disk's frontend: virtio-blk-pci, usb-storage, scsi-hd /
 * scsi-cd or ide-hd / ide-cd at the disk's address, using its format node.
 *
 * @example
 * ```ts
 * import { diskDeviceProps } from "./device_disk.ts";
 * declare const def: import("../../../conf/domain/def.ts").DomainDef;
 * declare const disk: import("../../../util/xml/mod.ts").XmlElement;
 * const props = diskDeviceProps(def, disk); // { driver: "virtio-blk-pci", bus: "pci.0", … }
 * ```
 */
export function diskDeviceProps(def: DomainDef, disk: XmlElement): Record<string, unknown> {
  const bus = child(disk, "target")?.attributes.bus;
  const address = child(disk, "address")?.attributes ?? {};
  const alias = child(disk, "alias")?.attributes.name;
  const n = sourceIndex(disk);
  const cdrom = disk.attributes.device === "cdrom";
  let props: Record<string, unknown>;
  if (bus === "virtio") {
    props = { driver: "virtio-blk-pci", ...pciProps(def, address) };
  } else if (bus === "usb") {
    props = { driver: "usb-storage", bus: `usb.${Number(address.bus ?? 0)}`, port: address.port };
  } else if (bus === "scsi") {
    const controller = Number(address.controller ?? 0);
    const unit = Number(address.unit ?? 0);
    props = {
      driver: cdrom ? "scsi-cd" : "scsi-hd",
      bus: `scsi${controller}.0`,
      channel: Number(address.bus ?? 0),
      "scsi-id": Number(address.target ?? 0),
      lun: unit,
      // libvirt names the VPD device id after the -drive it no longer uses.
      device_id: `drive-${alias}`,
    };
  } else if (bus === "ide" || bus === "sata") {
    // The chipset's controller is QEMU's "ide": a bus per IDE channel, per SATA port.
    const unit = Number(address.unit ?? 0);
    props = bus === "sata"
      ? { driver: cdrom ? "ide-cd" : "ide-hd", bus: `ide.${unit}` }
      : { driver: cdrom ? "ide-cd" : "ide-hd", bus: `ide.${Number(address.bus ?? 0)}`, unit };
  } else {
    throw VirError.report(
      "QEMU",
      "INTERNAL_ERROR",
      `unsupported disk bus '${bus}' with device setup`,
    );
  }
  const cache = child(disk, "driver")?.attributes.cache;
  const mode = cache && cache !== "default" ? CACHE_MODES[cache] : undefined;
  return {
    ...props,
    ...(child(disk, "shareable") ? { "share-rw": true } : {}),
    ...(n !== undefined ? { drive: diskNodes(n).format } : {}),
    id: alias,
    ...(bus === "usb" ? { removable: false } : {}),
    ...(mode ? { "write-cache": mode[0] ? "on" : "off" } : {}),
  };
}
