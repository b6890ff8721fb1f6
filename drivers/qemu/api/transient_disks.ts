/**
 * `<transient/>` disks as libvirt 9.0's QEMU driver runs them (`qemuProcessSetupDisksTransient`,
 * `qemuSnapshotGetTransientDiskDef`): before the vCPUs first run, each gets a qcow2 overlay
 * `<image>.TRANSIENT-<domain>` over its image, made and switched to as an external disk-only
 * snapshot's are, so the guest's writes never reach the image; the live XML names the overlay
 * with the image as its `<backingStore>`. The overlay is deleted when the domain stops (however
 * it stops, `qemuProcessStop`) or the disk is unplugged (`qemuDomainRemoveDiskDevice`).
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { VirError } from "../../../util/errors.ts";
import { child, type XmlElement } from "../../../util/xml/mod.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import { shareBacking } from "../disk_transient_validate.ts";
import { diskChain, dstOf, writeChain } from "./block_chain.ts";
import { createActiveOverlays, type Overlay } from "./snapshot_external.ts";

const transientDisks = (def: DomainDef): XmlElement[] =>
  def.devices.other.filter((d) => d.name === "disk" && child(d, "transient"));

const exists = (path: string) => {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
};

/**
 * Puts the starting domain's transient disks on their new overlays, in one transaction; the
 * live definition then shows the overlays. The domain's vCPUs must not have run yet.
 *
 * @example
 * ```ts
 * import { setupTransientDisks } from "./transient_disks.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await setupTransientDisks(obj); // vda now writes to /i/vda.qcow2.TRANSIENT-web
 * ```
 */
export async function setupTransientDisks(obj: QemuDomainObj): Promise<void> {
  // Those sharing their backing image are plugged later, each on its overlay.
  const disks = transientDisks(obj.def).filter((d) => !shareBacking(d));
  if (disks.length) await putOnOverlays(obj, disks);
}

/**
 * Puts a transient disk being plugged on its new overlay (`qemuDomainAttachDiskGeneric`): its
 * image's nodes, added read-only, are there, its frontend not yet.
 *
 * @example
 * ```ts
 * import { plugTransientOverlay } from "./transient_disks.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * declare const disk: import("../../../util/xml/mod.ts").XmlElement;
 * await plugTransientOverlay(obj, disk);
 * ```
 */
export async function plugTransientOverlay(obj: QemuDomainObj, disk: XmlElement): Promise<void> {
  await putOnOverlays(obj, [disk]);
}

/**
 * The overlays made and switched to as an external snapshot's (libvirt refuses an overlay file
 * that already exists when that disk's turn comes), written into the disks, counted as made.
 */
async function putOnOverlays(obj: QemuDomainObj, disks: XmlElement[]): Promise<void> {
  const overlays: Overlay[] = disks.map((disk) => {
    const dst = dstOf(disk);
    const file = `${diskChain(disk)[0].file}.TRANSIENT-${obj.def.name}`;
    const check = () => {
      if (!exists(file)) return;
      throw VirError.report(
        "QEMU",
        "OPERATION_UNSUPPORTED",
        `Overlay file '${file}' for transient disk '${dst}' already exists`,
      );
    };
    return { disk, dst, layer: { file, format: "qcow2" }, check };
  });
  await createActiveOverlays(obj, overlays, false);
  obj.transientOverlays ??= new Set();
  for (const o of overlays) {
    writeChain(o.disk, [o.layer, ...diskChain(o.disk)], true);
    obj.transientOverlays.add(o.dst);
  }
}

/**
 * Marks the overlays of a domain whose start finished as made (libvirt's reconnect does so for
 * every transient disk), so that its stop deletes them.
 *
 * @example
 * ```ts
 * import { adoptTransientOverlays } from "./transient_disks.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * adoptTransientOverlays(obj);
 * ```
 */
export function adoptTransientOverlays(obj: QemuDomainObj): void {
  const dsts = transientDisks(obj.def).map(dstOf);
  obj.transientOverlays = dsts.length ? new Set(dsts) : undefined;
}

/**
 * The overlay files the stopping domain made for its transient disks, or the one of `disk`
 * being unplugged; they are no longer counted as the domain's.
 *
 * @example
 * ```ts
 * import { takeTransientOverlays } from "./transient_disks.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * takeTransientOverlays(obj); // ["/i/vda.qcow2.TRANSIENT-web"]
 * ```
 */
export function takeTransientOverlays(obj: QemuDomainObj, disk?: XmlElement): string[] {
  const made = obj.transientOverlays;
  if (!made) return [];
  const files: string[] = [];
  for (const d of disk ? [disk] : transientDisks(obj.def)) {
    const file = child(d, "source")?.attributes.file;
    if (!made.delete(dstOf(d)) || !file) continue;
    files.push(file);
  }
  if (!made.size) obj.transientOverlays = undefined;
  return files;
}

/**
 * Deletes overlay files (`virStorageSourceUnlink`: one already gone is no error to anyone).
 *
 * @example
 * ```ts
 * import { removeOverlayFiles } from "./transient_disks.ts";
 * await removeOverlayFiles(["/i/vda.qcow2.TRANSIENT-web"]);
 * ```
 */
export async function removeOverlayFiles(files: string[]): Promise<void> {
  for (const file of files) await Deno.remove(file).catch(() => {});
}

/**
 * `qemuMigrationSrcIsAllowed`'s refusal of a transient disk, which the guest's state would carry
 * away from its overlay: migration, save, a full system snapshot, a core dump with the device
 * state.
 *
 * @example
 * ```ts
 * import { refuseTransientMigration } from "./transient_disks.ts";
 * declare const def: import("../../../conf/domain/def.ts").DomainDef;
 * refuseTransientMigration(def); // throws "migration with transient disk is not supported"
 * ```
 */
export function refuseTransientMigration(def: DomainDef): void {
  if (!transientDisks(def).length) return;
  throw VirError.report(
    "QEMU",
    "OPERATION_INVALID",
    "migration with transient disk is not supported",
  );
}
