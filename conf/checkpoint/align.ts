/**
 * virDomainCheckpointAlignDisks and virDomainCheckpointDefAssignBitmapNames.
 *
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { domainDisks, matchMomentDisk } from "../common/moment.ts";
import type { CheckpointDef, CheckpointDiskDef } from "./def.ts";

const unsupported = (msg: string) =>
  VirError.report("DOMAIN_CHECKPOINT", "CONFIG_UNSUPPORTED", msg);

/**
 * A bitmap disk without a bitmap name gets the checkpoint's name.
 *
 * @example
 * ```ts
 * import { assignBitmapNames } from "./align.ts";
 * const def = { name: "c", creationTime: 1, disks: [{ name: "vda", checkpoint: "bitmap" as const }] };
 * assignBitmapNames(def);
 * def.disks[0].bitmap; // "c"
 * ```
 */
export function assignBitmapNames(def: CheckpointDef): void {
  for (const d of def.disks) {
    if (d.checkpoint === "bitmap" && d.bitmap === undefined) d.bitmap = def.name;
  }
}

/**
 * Aligns the checkpoint's disks with its domain's: one entry per domain disk in domain order.
 * With no `<disks>` every writable disk gets a bitmap; otherwise omitted disks get nothing.
 *
 * @example
 * ```ts
 * import { alignCheckpointDisks } from "./align.ts";
 * declare const def: import("./def.ts").CheckpointDef;
 * alignCheckpointDisks(def);
 * ```
 */
export function alignCheckpointDisks(def: CheckpointDef): void {
  if (!def.dom) {
    throw VirError.report("DOMAIN_CHECKPOINT", "INTERNAL_ERROR", "missing domain in checkpoint");
  }
  const domDisks = domainDisks(def.dom);
  if (def.disks.length > domDisks.length) {
    throw unsupported("too many disk checkpoint requests for domain");
  }
  if (!domDisks.length) {
    throw unsupported("domain must have at least one disk to perform checkpoints");
  }
  const fallback = def.disks.length ? "no" : "bitmap";
  const byDst = new Map<string, CheckpointDiskDef>();
  for (const disk of def.disks) {
    const domDisk = matchMomentDisk(domDisks, byDst, disk.name, disk, unsupported);
    if ((domDisk.empty || domDisk.readonly) && disk.checkpoint !== "no") {
      throw unsupported(`disk '${disk.name}' is empty or readonly`);
    }
    disk.name = domDisk.dst;
  }
  def.disks = domDisks.map((d) =>
    byDst.get(d.dst) ?? { name: d.dst, checkpoint: d.empty || d.readonly ? "no" : fallback }
  );
  assignBitmapNames(def);
}
