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
import { child, textOf, type XmlElement } from "../../../util/xml/mod.ts";
import { definedProps } from "../json_props.ts";
import { isQ35 } from "../default_devices.ts";
import { iothreadProp } from "../command/iothread_args.ts";
import { virtioProps } from "../command/virtio_options.ts";
import type { Layer } from "./block_chain.ts";

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
 * the live XML shows and past one for each disk without an index (an empty cdrom uses one up
 * at start).
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

/** `<driver>` attributes the block nodes honour; any other is refused, never dropped. */
// `iothread` is the frontend's (see iothreadProp), checked by validateIOThreadUser.
const HONOURED_DRIVER_ATTRS = new Set([
  "name",
  "type",
  "cache",
  "io",
  "discard",
  "detect_zeroes",
  "iothread",
  "copy_on_read",
  // The frontend's (diskFrontendProps, virtioBlkProps).
  "error_policy",
  "rerror_policy",
  "ioeventfd",
  "event_idx",
  "queues",
  "queue_size",
  "iommu",
  "ats",
  "packed",
  "page_per_vq",
]);

/** The image formats a format node is started with. */
const FORMATS = new Set(["raw", "qcow2"]);

/** One image of a disk's chain, as the block nodes need it. */
export interface BlockLayer extends Layer {
  /** A block device: QEMU's `host_device` protocol opens it, not `file`. */
  hostDevice?: boolean;
  /** A network source: the storage node's driver and protocol properties (no file). */
  backend?: Record<string, unknown>;
}

/**
 * The node a disk's frontend uses: libvirt's copy-on-read filter (`libvirt-CoR-<dst>`) over
 * the top format node when `<driver copy_on_read='on'>`, else the top format node.
 *
 * @example
 * ```ts
 * import { frontendNode } from "./device_disk.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * frontendNode(parse("<disk><driver copy_on_read='on'/><target dev='vda'/></disk>"), 1);
 * // "libvirt-CoR-vda"
 * ```
 */
export function frontendNode(disk: XmlElement, top: number): string {
  return copyOnRead(disk)
    ? `libvirt-CoR-${child(disk, "target")?.attributes.dev}`
    : diskNodes(top).format;
}

const copyOnRead = (disk: XmlElement) => child(disk, "driver")?.attributes.copy_on_read === "on";

/**
 * libvirt's cache mode of a disk (`qemuDomainPrepareDiskCachemode`: a writable shareable disk
 * without one bypasses the host cache), as writeback, direct and no-flush; undefined for
 * QEMU's default.
 */
function cacheMode(disk: XmlElement): [boolean, boolean, boolean] | undefined {
  const cache = child(disk, "driver")?.attributes.cache;
  if (cache && cache !== "default") return CACHE_MODES[cache];
  const shared = child(disk, "shareable") && !child(disk, "readonly");
  return shared ? CACHE_MODES.none : undefined;
}

/** The `<driver>` of a disk with libvirt's refusal of what the nodes cannot honour. */
function checkedDriver(disk: XmlElement): Record<string, string> {
  const driver = child(disk, "driver")?.attributes ?? {};
  const extra = Object.keys(driver).find((k) => !HONOURED_DRIVER_ATTRS.has(k));
  if (extra) {
    throw VirError.report(
      "QEMU",
      "CONFIG_UNSUPPORTED",
      `disk driver attribute '${extra}' is not supported with this QEMU binary`,
    );
  }
  return driver;
}

/** libvirt's refusal of an image format the driver does not open. */
function checkFormat(format: string): void {
  if (!FORMATS.has(format)) {
    throw VirError.report(
      "QEMU",
      "CONFIG_UNSUPPORTED",
      `unsupported disk format '${format}' with this QEMU binary`,
    );
  }
}

/**
 * The `-blockdev` / `blockdev-add` objects of a disk's chain (`layers`, top first), bottom
 * first, storage node before format node, with libvirt's keys in libvirt's order
 * (`qemuBlockStorageSourceGetBackendProps`, `qemuBlockStorageSourceGetBlockdevFormatProps`):
 * cache, aio and discard go to every layer, detect-zeroes and the LUKS key to the top only,
 * the images below the top are read-only. With `chained`, every qcow2 names its backing node
 * (`null` at the bottom); without, QEMU opens what the image names. A copy-on-read disk ends
 * with libvirt's filter node over the top (`qemuBlockStorageGetCopyOnReadProps`).
 *
 * @example
 * ```ts
 * import { chainBlockdevs } from "./device_disk.ts";
 * import { element } from "../../../util/xml/mod.ts";
 * const disk = element("disk", { type: "file", device: "disk" }, [
 *   element("driver", { name: "qemu", type: "qcow2" }),
 *   element("target", { dev: "vdb", bus: "virtio" }),
 * ]);
 * const nodes = chainBlockdevs(disk, [{ file: "/i/a.qcow2", format: "qcow2", index: 2 }], true);
 * nodes[1].backing; // null
 * ```
 */
export function chainBlockdevs(
  disk: XmlElement,
  layers: BlockLayer[],
  chained: boolean,
  keySecret?: string,
): Record<string, unknown>[] {
  const driver = checkedDriver(disk);
  const mode = cacheMode(disk);
  const cache = mode ? { cache: { direct: mode[1], "no-flush": mode[2] } } : {};
  const aio = driver.io ? { aio: driver.io } : {};
  const discard = driver.discard ? { discard: driver.discard } : {};
  // libvirt's virDomainDiskGetDetectZeroesMode: 'unmap' needs discard='unmap'.
  const zeroes = driver.detect_zeroes === "unmap" && driver.discard !== "unmap"
    ? "on"
    : driver.detect_zeroes;
  const readOnly = disk.attributes.device === "cdrom" || child(disk, "readonly") !== undefined;
  const out: Record<string, unknown>[] = layers.map((layer, i) => {
    checkFormat(layer.format);
    if (layer.index === undefined) {
      throw VirError.report("QEMU", "INTERNAL_ERROR", "disk has no source to attach");
    }
    const nodes = diskNodes(layer.index);
    const below = layers[i + 1]?.index;
    const top = i === 0;
    const key = top && keySecret
      ? layer.format === "qcow2"
        ? { encrypt: { format: "luks", "key-secret": keySecret } }
        : { "key-secret": keySecret }
      : {};
    const backing = chained && layer.format === "qcow2"
      ? { backing: below === undefined ? null : diskNodes(below).format }
      : {};
    const protocol = layer.backend ??
      { driver: layer.hostDevice ? "host_device" : "file", filename: layer.file, ...aio };
    return [
      {
        ...protocol,
        "node-name": nodes.storage,
        ...cache,
        "auto-read-only": true,
        discard: "unmap",
      },
      {
        "node-name": nodes.format,
        "read-only": !top || readOnly,
        ...discard,
        ...(top && zeroes && zeroes !== "off" ? { "detect-zeroes": zeroes } : {}),
        ...cache,
        driver: top && keySecret && layer.format === "raw" ? "luks" : layer.format,
        ...key,
        // qemuBlockStorageSourceGetFormatQcow2Props: the L2 and refcount caches' bound.
        ...(layer.cacheSize ? { "cache-size": layer.cacheSize } : {}),
        file: nodes.storage,
        ...backing,
      },
    ];
  }).toReversed().flat();
  const top = layers[0]?.index;
  if (!copyOnRead(disk) || top === undefined) return out;
  return [...out, {
    driver: "copy-on-read",
    "node-name": frontendNode(disk, top),
    file: diskNodes(top).format,
    discard: "unmap",
  }];
}

/**
 * The frontend's `write-cache` of a disk with a cache mode (`qemuBuildDiskDeviceProps`).
 *
 * @example
 * ```ts
 * import { writeCache } from "./device_disk.ts";
 * declare const disk: import("../../../util/xml/mod.ts").XmlElement;
 * writeCache(disk); // "on" for cache='none'
 * ```
 */
export function writeCache(disk: XmlElement): "on" | "off" | undefined {
  const mode = cacheMode(disk);
  return mode && (mode[0] ? "on" : "off");
}

/**
 * The source indexes of a disk's chain, top first: the `libvirt-N-*` nodes it holds.
 *
 * @example
 * ```ts
 * import { chainIndexes } from "./device_disk.ts";
 * declare const disk: import("../../../util/xml/mod.ts").XmlElement;
 * chainIndexes(disk); // [4, 6, 7]
 * ```
 */
export function chainIndexes(disk: XmlElement): number[] {
  const out = [sourceIndex(disk)];
  for (let b = child(disk, "backingStore"); b?.attributes.index; b = child(b, "backingStore")) {
    out.push(Number(b.attributes.index));
  }
  return out.filter((n): n is number => n !== undefined);
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

/** The SCSI controller models whose units are targets, one LUN each (libvirt's LSI case). */
const SINGLE_LUN_SCSI = new Set(["lsilogic", "ncr53c90", "dc390", "am53c974"]);

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
  const lun = disk.attributes.device === "lun";
  let props: Record<string, unknown>;
  if (bus === "virtio") {
    const { iothread, ...virtio } = virtioBlkProps(disk);
    props = {
      driver: virtioBlkDriver(disk),
      ...iothread,
      ...(lun ? { scsi: true } : {}),
      ...virtio,
      ...pciProps(def, address),
    };
  } else if (bus === "usb") {
    props = { driver: "usb-storage", bus: `usb.${Number(address.bus ?? 0)}`, port: address.port };
  } else if (bus === "scsi") {
    const controller = Number(address.controller ?? 0);
    const unit = Number(address.unit ?? 0);
    const model = def.devices.other.find((d) =>
      d.name === "controller" && d.attributes.type === "scsi" &&
      Number(d.attributes.index ?? 0) === controller
    )?.attributes.model;
    props = {
      driver: lun ? "scsi-block" : cdrom ? "scsi-cd" : "scsi-hd",
      // qemuBuildDeviceAddresDriveProps: an LSI 53C895A-like controller's drive bus is its
      // SCSI bus and the unit its target; the others have one bus of channels, targets, LUNs.
      ...(model && SINGLE_LUN_SCSI.has(model)
        ? { bus: `scsi${controller}.${Number(address.bus ?? 0)}`, "scsi-id": unit }
        : {
          bus: `scsi${controller}.0`,
          channel: Number(address.bus ?? 0),
          "scsi-id": Number(address.target ?? 0),
          lun: unit,
        }),
      // libvirt names the VPD device id after the -drive it no longer uses (not scsi-block's).
      // (the serial when there is one).
      ...(lun ? {} : { device_id: textOf(child(disk, "serial")) ?? `drive-${alias}` }),
    };
  } else if (bus === "ide" || bus === "sata") {
    // The chipset's controller is QEMU's "ide": a bus per IDE channel, per SATA port.
    const unit = Number(address.unit ?? 0);
    props = bus === "sata"
      ? { driver: cdrom ? "ide-cd" : "ide-hd", bus: `ide.${unit}` }
      : { driver: cdrom ? "ide-cd" : "ide-hd", bus: `ide.${Number(address.bus ?? 0)}`, unit };
  } else if (bus === "fdc") {
    // The floppy's boot index is the controller's (bootindexA/B), not the drive's.
    props = { driver: "floppy", unit: Number(address.unit ?? 0) };
  } else {
    throw VirError.report(
      "QEMU",
      "INTERNAL_ERROR",
      `unsupported disk bus '${bus}' with device setup`,
    );
  }
  return {
    ...props,
    ...(child(disk, "shareable") ? { "share-rw": true } : {}),
    ...(n !== undefined ? { drive: frontendNode(disk, n) } : {}),
    id: alias,
    ...diskFrontendProps(disk),
  };
}

/**
 * The QEMU device of a virtio disk (`qemuBuildVirtioDevGetConfig`): `virtio-blk-pci`, or its
 * transitional or non-transitional variant as the disk's model says.
 *
 * @example
 * ```ts
 * import { virtioBlkDriver } from "./device_disk.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * virtioBlkDriver(parse("<disk model='virtio-transitional'/>")); // "virtio-blk-pci-transitional"
 * ```
 */
export function virtioBlkDriver(disk: XmlElement): string {
  const model = disk.attributes.model;
  return model === "virtio-transitional" || model === "virtio-non-transitional"
    ? `virtio-blk-pci-${model.slice("virtio-".length)}`
    : "virtio-blk-pci";
}

/**
 * A virtio disk's own `virtio-blk-pci` properties (`qemuBuildVirtioDevProps` and
 * `qemuBuildDiskDeviceProps`): the virtio options, the IOThread apart (its place differs), the
 * ioeventfd and event index switches, the queue count and size.
 *
 * @example
 * ```ts
 * import { virtioBlkProps } from "./device_disk.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * virtioBlkProps(parse("<disk><driver queues='4'/></disk>")); // { iothread: {}, "num-queues": 4 }
 * ```
 */
export function virtioBlkProps(
  disk: XmlElement,
): { iothread: Record<string, unknown> } & Record<string, unknown> {
  const driver = child(disk, "driver");
  const a = driver?.attributes ?? {};
  const onOff = (v: string | undefined) => (v === undefined ? undefined : v === "on");
  return {
    iothread: iothreadProp(disk),
    ...virtioProps(driver),
    ...definedProps({
      ioeventfd: onOff(a.ioeventfd),
      event_idx: onOff(a.event_idx),
      "num-queues": a.queues && Number(a.queues) ? Number(a.queues) : undefined,
      "queue-size": a.queue_size && Number(a.queue_size) ? Number(a.queue_size) : undefined,
    }),
  };
}

/**
 * The frontend properties `qemuBuildDiskDeviceProps` takes from the disk's own elements, after
 * its id and boot index, in libvirt's order: block sizes, WWN, rotation rate, SCSI vendor and
 * product, a USB disk's removable flag, the write cache, the CHS geometry, the serial (spaces
 * escaped as libvirt does) and the error policies (`enospace` is QEMU's write-only `enospc`;
 * reads follow writes unless told).
 *
 * @example
 * ```ts
 * import { diskFrontendProps } from "./device_disk.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * diskFrontendProps(parse("<disk><target dev='sda' bus='scsi'/><serial>a b</serial></disk>"));
 * // { serial: "a\\ b" }
 * ```
 */
export function diskFrontendProps(disk: XmlElement): Record<string, unknown> {
  const attrs = (name: string) => child(disk, name)?.attributes ?? {};
  const num = (v: string | undefined) => (v && Number(v) ? Number(v) : undefined);
  const text = (name: string) => textOf(child(disk, name));
  const { bus, removable } = attrs("target");
  const geometry = attrs("geometry");
  const wwn = text("wwn");
  const serial = text("serial");
  const { error_policy: write, rerror_policy: read } = attrs("driver");
  const werror = write === "enospace" ? "enospc" : write;
  const lun = disk.attributes.device === "lun";
  const cache = lun ? undefined : writeCache(disk);
  return definedProps({
    logical_block_size: num(attrs("blockio").logical_block_size),
    physical_block_size: num(attrs("blockio").physical_block_size),
    wwn: wwn === undefined ? undefined : BigInt(`0x${wwn.replace(/^0x/, "")}`),
    rotation_rate: num(attrs("target").rotation_rate),
    vendor: text("vendor"),
    product: text("product"),
    removable: bus === "usb" ? removable === "on" : undefined,
    "write-cache": cache,
    cyls: num(geometry.cyls),
    heads: num(geometry.heads),
    secs: num(geometry.secs),
    "bios-chs-trans": geometry.trans && geometry.trans !== "default" ? geometry.trans : undefined,
    serial: serial?.replaceAll(" ", "\\ "),
    werror,
    rerror: read ?? (write === "enospace" ? undefined : write),
  });
}
