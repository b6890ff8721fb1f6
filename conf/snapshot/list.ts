/**
 * Listing and redefining a domain's snapshots the way every driver does
 * (`virDomainSnapshotObjListGetNames`, `virDomainSnapshotRedefinePrep`).
 *
 * @module
 */
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import { type Moment, MOMENT_LIST, type MomentList } from "../objects/moment_list.ts";
import { alignSnapshotDisks } from "./align.ts";
import { isExternalSnapshot, isOnlineSnapshot, type SnapshotDef } from "./def.ts";

const E = VIR;
const FILTERS_LEAVES = E.DOMAIN_SNAPSHOT_LIST_LEAVES | E.DOMAIN_SNAPSHOT_LIST_NO_LEAVES;
const FILTERS_STATUS = E.DOMAIN_SNAPSHOT_LIST_INACTIVE | E.DOMAIN_SNAPSHOT_LIST_ACTIVE |
  E.DOMAIN_SNAPSHOT_LIST_DISK_ONLY;
const FILTERS_LOCATION = E.DOMAIN_SNAPSHOT_LIST_INTERNAL | E.DOMAIN_SNAPSHOT_LIST_EXTERNAL;
const FILTERS_ALL = FILTERS_LEAVES | FILTERS_STATUS | FILTERS_LOCATION |
  E.DOMAIN_SNAPSHOT_LIST_METADATA | E.DOMAIN_SNAPSHOT_LIST_NO_METADATA;
/** The flags of the snapshot list calls (`virDomainListAllSnapshots`…). */
export const LIST_FLAGS = E.DOMAIN_SNAPSHOT_LIST_ROOTS | E.DOMAIN_SNAPSHOT_LIST_TOPOLOGICAL |
  FILTERS_ALL;
/** The flags of the snapshot children calls (`virDomainSnapshotListAllChildren`…). */
export const CHILD_FLAGS = E.DOMAIN_SNAPSHOT_LIST_DESCENDANTS | E.DOMAIN_SNAPSHOT_LIST_TOPOLOGICAL |
  FILTERS_ALL;
/** Public list flags and the moment-list flags they become. */
const TO_MOMENT: [number, number][] = [
  [E.DOMAIN_SNAPSHOT_LIST_ROOTS, MOMENT_LIST.ROOTS],
  [E.DOMAIN_SNAPSHOT_LIST_TOPOLOGICAL, MOMENT_LIST.TOPOLOGICAL],
  [E.DOMAIN_SNAPSHOT_LIST_LEAVES, MOMENT_LIST.LEAVES],
  [E.DOMAIN_SNAPSHOT_LIST_NO_LEAVES, MOMENT_LIST.NO_LEAVES],
  [E.DOMAIN_SNAPSHOT_LIST_METADATA, MOMENT_LIST.METADATA],
  [E.DOMAIN_SNAPSHOT_LIST_NO_METADATA, MOMENT_LIST.NO_METADATA],
];

/** virDomainSnapshotFilter: state and location filters left after the moment flags. */
function keep(def: SnapshotDef, flags: number): boolean {
  if (flags & FILTERS_STATUS) {
    if (!(flags & E.DOMAIN_SNAPSHOT_LIST_INACTIVE) && def.state === "shutoff") return false;
    if (!(flags & E.DOMAIN_SNAPSHOT_LIST_DISK_ONLY) && def.state === "disk-snapshot") return false;
    if (
      !(flags & E.DOMAIN_SNAPSHOT_LIST_ACTIVE) && def.state !== "shutoff" &&
      def.state !== "disk-snapshot"
    ) return false;
  }
  if ((flags & E.DOMAIN_SNAPSHOT_LIST_INTERNAL) && isExternalSnapshot(def)) return false;
  if ((flags & E.DOMAIN_SNAPSHOT_LIST_EXTERNAL) && !isExternalSnapshot(def)) return false;
  return true;
}

/**
 * virDomainSnapshotObjListGetNames: public flags split into moment flags and filters.
 *
 * @example
 * ```ts
 * import { snapshotNames } from "./list.ts";
 * import { MomentList } from "../objects/moment_list.ts";
 * snapshotNames(new MomentList(), undefined, 0); // []
 * ```
 */
export function snapshotNames(
  list: MomentList<SnapshotDef>,
  from: Moment<SnapshotDef> | undefined,
  flags: number,
): string[] {
  for (const group of [FILTERS_LEAVES, FILTERS_STATUS, FILTERS_LOCATION]) {
    if ((flags & group) === group) flags &= ~group;
  }
  let moment = 0;
  for (const [pub, mom] of TO_MOMENT) {
    if (flags & pub) {
      flags &= ~pub;
      moment |= mom;
    }
  }
  return list.names(from, moment, (def) => keep(def, flags));
}

/**
 * virDomainSnapshotRedefinePrep: checks a redefinition against the tree and the snapshot it
 * replaces (of the domain `uuid`); returns that snapshot, now holding the new definition, if
 * there is one.
 *
 * @example
 * ```ts
 * import { redefinePrep } from "./list.ts";
 * import { MomentList } from "../objects/moment_list.ts";
 * redefinePrep(new MomentList(), "", { name: "s", creationTime: 1, disks: [], state: "shutoff" });
 * ```
 */
export function redefinePrep(
  list: MomentList<SnapshotDef>,
  uuid: string,
  def: SnapshotDef,
): Moment<SnapshotDef> | undefined {
  list.checkCycles(def);
  const other = list.find(def.name);
  const invalid = (msg: string) => VirError.report("DOMAIN_SNAPSHOT", "INVALID_ARG", msg);
  if (def.dom && def.dom.uuid !== uuid) {
    throw invalid(`definition for snapshot ${def.name} must use uuid ${uuid}`);
  }
  if (other) {
    if (isOnlineSnapshot(other.def) !== isOnlineSnapshot(def)) {
      throw invalid(
        `cannot change between online and offline snapshot state in snapshot ${def.name}`,
      );
    }
    if ((other.def.state === "disk-snapshot") !== (def.state === "disk-snapshot")) {
      throw invalid(`cannot change between disk only and full system in snapshot ${def.name}`);
    }
    if (!def.dom && other.def.dom) def.dom = other.def.dom;
  }
  const external = def.state === "disk-snapshot" || isExternalSnapshot(def);
  alignSnapshotDisks(def, external ? "external" : "internal", !external);
  if (!other) return undefined;
  list.dropParent(other);
  other.def = def;
  return other;
}
