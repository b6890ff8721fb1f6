/**
 * `qemuDomainGetBlockInfo` (`virsh domblkinfo`): a disk's capacity, allocation and physical
 * size — from its image file for an inactive domain, from QEMU (`query-blockstats`,
 * `query-block`) for a running one, with libvirt's rules for sparse files.
 *
 * @module
 */
import { isActive } from "../../../conf/objects/domain_obj.ts";
import type { DomainBlockInfo } from "../../../util/contract/types.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import { strerror } from "../../../util/strerror.ts";
import { child, type XmlElement } from "../../../util/xml/mod.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import { fileLimits, physicalSize } from "./stats_all.ts";
import { queryBlockCounters } from "./stats_qmp.ts";

/** `virDomainDiskByName` (target or source path), else libvirt's error for this call. */
function diskOf(obj: QemuDomainObj, path: string): XmlElement {
  const disk = obj.def.devices.other.find((d) => {
    if (d.name !== "disk") return false;
    const source = child(d, "source")?.attributes;
    return child(d, "target")?.attributes.dev === path || source?.file === path ||
      source?.dev === path;
  });
  if (!disk) {
    throw VirError.report("QEMU", "INVALID_ARG", `invalid path ${path} not assigned to domain`);
  }
  return disk;
}

/** The limits of the image file itself. */
function limitsOf(file: string) {
  try {
    return fileLimits(file);
  } catch (err) {
    throw VirError.report(
      "QEMU",
      "SYSTEM_ERROR",
      `Failed to open file '${file}': ${strerror(err)}`,
    );
  }
}

/**
 * The block info of disk `path`.
 *
 * @example
 * ```ts
 * import { blockInfo } from "./block_info.ts";
 * import type { QemuDomainObj } from "../domain_private.ts";
 * declare const obj: QemuDomainObj;
 * await blockInfo(obj, "vda", 0); // { capacity, allocation, physical }
 * ```
 */
export async function blockInfo(
  obj: QemuDomainObj,
  path: string,
  flags: number,
): Promise<DomainBlockInfo> {
  checkFlags(flags, 0, "qemuDomainGetBlockInfo", "QEMU");
  return await obj.job.run(async () => {
    const disk = diskOf(obj, path);
    const source = child(disk, "source")?.attributes;
    const file = source?.file ?? source?.dev;
    const network = disk.attributes.type === "network";
    if (!file && !(network && isActive(obj))) {
      throw VirError.report(
        "QEMU",
        "INVALID_ARG",
        `disk '${path}' does not currently have a source assigned`,
      );
    }
    if (!isActive(obj)) {
      // The declared format rules, never the header: a raw disk's capacity is its file's size.
      const limits = limitsOf(file!);
      if (child(disk, "driver")?.attributes.type === "qcow2") return limits;
      return { ...limits, capacity: limits.physical };
    }
    const alias = child(disk, "alias")?.attributes.name;
    const entry = (await queryBlockCounters(obj.proc!.monitor)).get(alias ?? "");
    const physical = entry?.physical ?? 0;
    const qcow2File = (disk.attributes.type ?? "file") === "file" &&
      child(disk, "driver")?.attributes.type === "qcow2";
    let allocation = qcow2File ? physical : entry?.wr_highest_offset ?? physical;
    let onDisk = physical;
    // A sparse file (or one QEMU has not written to): the file's own size (a block device's
    // end) is the physical one. libvirt cannot open a network source from the host: QEMU's
    // figure stands.
    if (physical === 0 || allocation === 0 || allocation === physical) {
      if (allocation === 0) allocation = physical;
      try {
        onDisk = file ? physicalSize(file) : physical;
      } catch {
        onDisk = physical;
      }
    }
    return { capacity: entry?.capacity ?? 0, allocation, physical: onDisk };
  });
}
