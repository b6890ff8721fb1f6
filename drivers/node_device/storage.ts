/**
 * Block devices as libvirt's `udevProcessStorage` sees them: drive type from udev's `ID_TYPE`
 * and friends (udevd's database), else guessed from the node name (`/dev/vd*`, `/dev/nvme*`
 * disks, DASD); disks, CD-ROMs, floppies and SD cards get their sizes. A block device of
 * another or unknown type (loop, zram, partitions) is left out, as libvirt leaves it.
 *
 * @module
 */
import type { StorageCap } from "./device_def.ts";
import type { Sysfs, UdevDevice } from "../../util/sysfs.ts";

/** `udevKludgeStorageType`'s guesses by device node prefix. */
const KLUDGES: [string, string][] = [["/dev/vd", "disk"], ["/dev/dasd", "dasd"], [
  "/dev/nvme",
  "disk",
]];

/** `udevGetStringSysfsAttr` + `virTrimSpaces`: control characters out, blanks trimmed. */
function trimmedAttr(sys: Sysfs, dir: string, name: string): string | undefined {
  // deno-lint-ignore no-control-regex -- virStringStripControlChars
  const v = sys.attr(dir, name)?.replace(/[\x00-\x1f\x7f]/g, "").trim();
  return v ? v : undefined;
}

function big(sys: Sysfs, dir: string, name: string): bigint {
  const v = sys.attr(dir, name);
  return v === undefined ? 0n : BigInt(v);
}

/**
 * The storage capability of a block device, or undefined when libvirt leaves it out.
 *
 * @example
 * ```ts
 * import { storageCap } from "./storage.ts";
 * import { Sysfs } from "../../util/sysfs.ts";
 * const sys = new Sysfs();
 * const dev = sys.device("/sys/devices/virtual/block/loop0");
 * if (dev) storageCap(sys, dev, "/dev/loop0"); // undefined
 * ```
 */
export function storageCap(
  sys: Sysfs,
  dev: UdevDevice,
  devnode: string | undefined,
): StorageCap | undefined {
  if (!devnode) return undefined;
  const p = dev.props;
  let driveType = p.get("ID_TYPE");
  if (driveType === undefined || driveType === "generic") {
    driveType = p.has("ID_DRIVE_FLOPPY")
      ? "floppy"
      : p.has("ID_CDROM")
      ? "cd"
      : p.has("ID_DRIVE_FLASH_SD")
      ? "sd"
      : KLUDGES.find(([prefix]) => devnode.startsWith(prefix))?.[1];
  }
  if (driveType === undefined) return undefined;
  const cap: StorageCap = {
    type: "storage",
    block: devnode,
    bus: p.get("ID_BUS"),
    driveType,
    model: trimmedAttr(sys, dev.syspath, "device/model"),
    vendor: trimmedAttr(sys, dev.syspath, "device/vendor"),
    serial: p.get("ID_SERIAL"),
    size: 0n,
    logicalBlockSize: 0n,
    numBlocks: 0n,
  };
  const sizes = () => {
    cap.numBlocks = big(sys, dev.syspath, "size");
    cap.logicalBlockSize = big(sys, dev.syspath, "queue/logical_block_size");
  };
  const removable = (hasMedia: boolean) => {
    if (sys.attr(dev.syspath, "removable") === "1") {
      cap.removable = { mediaAvailable: false, mediaSize: 0n };
    }
    if (!hasMedia) return;
    sizes();
    cap.removable = {
      mediaAvailable: true,
      mediaSize: cap.numBlocks * cap.logicalBlockSize,
      mediaLabel: p.get("ID_FS_LABEL"),
    };
  };
  switch (driveType) {
    case "cd":
    case "cd/dvd":
      cap.driveType = "cdrom";
      removable(Number(p.get("ID_CDROM_MEDIA") ?? 0) !== 0);
      break;
    case "floppy":
      removable(p.has("ID_FS_LABEL"));
      break;
    case "dasd":
      cap.serial = sys.attr(dev.syspath, "device/uid") || undefined;
      sizes();
      cap.size = cap.numBlocks * cap.logicalBlockSize;
      break;
    case "disk":
    case "sd":
      sizes();
      cap.size = cap.numBlocks * cap.logicalBlockSize;
      break;
    default:
      return undefined;
  }
  return cap;
}
