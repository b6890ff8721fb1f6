/**
 * The domain snapshot model (libvirt's `virDomainSnapshotDef`).
 *
 * @module
 */
import type { MomentDef } from "../common/moment.ts";
import type { XmlElement } from "../../util/xml/mod.ts";

/**
 * `virDomainSnapshotState`: `virDomainState` names plus `disk-snapshot`, by number.
 *
 * @example
 * ```ts
 * import { SNAPSHOT_STATES } from "./def.ts";
 * SNAPSHOT_STATES[1]; // "running"
 * ```
 */
export const SNAPSHOT_STATES = [
  "nostate",
  "running",
  "blocked",
  "paused",
  "shutdown",
  "shutoff",
  "crashed",
  "pmsuspended",
  "disk-snapshot",
] as const;

/**
 * `virDomainSnapshotLocation` names; index 0 is the unset default.
 *
 * @example
 * ```ts
 * import { SNAPSHOT_LOCATIONS } from "./def.ts";
 * SNAPSHOT_LOCATIONS.indexOf("internal"); // 2
 * ```
 */
export const SNAPSHOT_LOCATIONS = ["default", "no", "internal", "external", "manual"] as const;

/** One `<disk>` of a snapshot. */
export interface SnapshotDiskDef {
  /** The domain disk's target (or source path until aligned). */
  name: string;
  /** Location (`no`, `internal`, `external`, `manual`); unset means default. */
  snapshot?: string;
  /** Storage type of an external snapshot file; `file` unless stated. */
  type: string;
  /** `<driver type>`: the image format. */
  driverType?: string;
  /** `<source>` as given. */
  source?: XmlElement;
}

/** A snapshot definition. */
export interface SnapshotDef extends MomentDef {
  /** The domain state at snapshot time (a {@link SNAPSHOT_STATES} name). */
  state?: string;
  /** Memory location; unset means default. */
  memory?: string;
  /** File of an external memory snapshot. */
  memoryFile?: string;
  disks: SnapshotDiskDef[];
}

/**
 * virDomainSnapshotDefIsExternal: memory or any disk goes to an external file.
 *
 * @example
 * ```ts
 * import { isExternalSnapshot } from "./def.ts";
 * isExternalSnapshot({ name: "s", creationTime: 1, disks: [], memory: "internal" }); // false
 * ```
 */
export function isExternalSnapshot(def: SnapshotDef): boolean {
  return def.memory === "external" || def.disks.some((d) => d.snapshot === "external");
}

/**
 * Online snapshots hold memory state: the domain was running or paused when taken.
 *
 * @example
 * ```ts
 * import { isOnlineSnapshot } from "./def.ts";
 * isOnlineSnapshot({ name: "s", creationTime: 1, disks: [], state: "paused" }); // true
 * ```
 */
export function isOnlineSnapshot(def: SnapshotDef): boolean {
  return def.state === "running" || def.state === "paused";
}
