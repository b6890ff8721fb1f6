/**
 * `<disk type='volume'>` at start (libvirt's `virDomainDiskTranslateSourcePool`): the pool and
 * volume the disk names are looked up in the host's storage driver, the pool must be active,
 * and the volume's path is what QEMU opens. The live XML keeps naming the pool and volume, as
 * libvirt's does; the path is known to the command line only.
 *
 * @module
 */
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import { child, parse, type XmlElement } from "../../util/xml/mod.ts";
import type { QemuSecondaries } from "./secondaries.ts";

/** Pool types whose volumes are local paths (libvirt's list in the same function). */
const PATH_POOLS = new Set(["dir", "fs", "netfs", "logical", "disk", "scsi", "zfs", "vstorage"]);

/** Volume types (`virStorageVolType`) a path pool gives: file, block device, ploop. */
const PATH_VOLUMES = new Set<number>([
  VIR.STORAGE_VOL_FILE,
  VIR.STORAGE_VOL_BLOCK,
  VIR.STORAGE_VOL_PLOOP,
]);

const VOLUME_TYPES = ["file", "block", "dir", "network", "netdir", "ploop"];

/** The path of one volume disk's source, with libvirt's checks in libvirt's order. */
async function translate(secondaries: QemuSecondaries, source: Record<string, string>) {
  const { pool: poolName = "", volume = "" } = source;
  const pool = await secondaries.call("storage", "storagePoolLookupByName", poolName);
  if (!(await secondaries.call("storage", "storagePoolIsActive", pool))) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      `storage pool '${poolName}' containing volume '${volume}' is not active`,
    );
  }
  const vol = await secondaries.call("storage", "storageVolLookupByName", pool, volume);
  const info = await secondaries.call("storage", "storageVolGetInfo", vol);
  const poolType = parse(await secondaries.call("storage", "storagePoolGetXMLDesc", pool, 0))
    .attributes.type ?? "";
  if (source.mode !== undefined && poolType !== "iscsi") {
    throw VirError.report(
      "DOMAIN",
      "XML_ERROR",
      "disk source mode is only valid when storage pool is of iscsi type",
    );
  }
  if (!PATH_POOLS.has(poolType)) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      `using '${poolType}' pools for backing 'volume' disks isn't yet supported`,
    );
  }
  const path = await secondaries.call("storage", "storageVolGetPath", vol);
  if (!PATH_VOLUMES.has(info.type)) {
    throw info.type === VIR.STORAGE_VOL_DIR
      // A directory volume is a `dir` disk, which QEMU serves as a FAT image: not started here.
      ? VirError.report(
        "QEMU",
        "CONFIG_UNSUPPORTED",
        "The 'vvfat' device is not supported by this QEMU binary",
      )
      : VirError.report(
        "DOMAIN",
        "INTERNAL_ERROR",
        `unexpected storage volume type '${VOLUME_TYPES[info.type]}' for storage pool type ` +
          `'${poolType}'`,
      );
  }
  return path;
}

/**
 * The host path of one disk's volume (undefined for a disk that is no volume, or an empty
 * cdrom), as the start translates it; a hot-plug translates its disk the same way.
 *
 * @example
 * ```ts
 * import { resolveVolumeDisk } from "./volume_disk.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * import type { QemuSecondaries } from "./secondaries.ts";
 * declare const secondaries: QemuSecondaries;
 * const disk = parse("<disk type='volume'><source pool='p' volume='v.img'/><target dev='vdb'/></disk>");
 * await resolveVolumeDisk(disk, secondaries); // "/var/lib/p/v.img"
 * ```
 */
export async function resolveVolumeDisk(
  disk: XmlElement,
  secondaries: QemuSecondaries,
): Promise<string | undefined> {
  if (disk.attributes.type !== "volume") return undefined;
  const source = child(disk, "source")?.attributes;
  // An empty cdrom names no volume: nothing to translate.
  if (!source?.pool) return undefined;
  const path = await translate(secondaries, source);
  const driver = child(disk, "driver");
  if (driver) driver.attributes.type ??= "raw";
  return path;
}
