/**
 * The domain checkpoint model (libvirt's `virDomainCheckpointDef`).
 *
 * @module
 */
import type { MomentDef } from "../common/moment.ts";

/** One `<disk>` of a checkpoint. */
export interface CheckpointDiskDef {
  /** The domain disk's target (or source path until aligned). */
  name: string;
  /** `no` or `bitmap` (libvirt's virDomainCheckpointType names). */
  checkpoint?: "no" | "bitmap";
  /** Name of the dirty bitmap. */
  bitmap?: string;
}

/** A checkpoint definition. */
export interface CheckpointDef extends MomentDef {
  disks: CheckpointDiskDef[];
}
