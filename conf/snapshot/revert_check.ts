/**
 * The checks every driver's revert makes before touching a domain (libvirt's
 * `testDomainRevertToSnapshot`, `qemuSnapshotRevertValidate`).
 *
 * @module
 */
import { VIR } from "../../util/constants.ts";
import { type ErrorDomainName, VirError } from "../../util/errors.ts";
import { isOnlineSnapshot, type SnapshotDef } from "./def.ts";

/** What {@link checkSnapshotRevert} needs of the domain. */
export interface RevertDomain {
  persistent: boolean;
  def: { name: string };
}

/**
 * A transient domain must ask to run or pause when going back to a shut-off snapshot, and a
 * snapshot without its domain definition cannot be reverted to (unless forced, where the
 * driver allows it: `forceAllowsRisky`). Returns whether the caller asked to run or pause.
 *
 * @example
 * ```ts
 * import { checkSnapshotRevert } from "./revert_check.ts";
 * const snap = { name: "s", creationTime: 1, disks: [], state: "running" };
 * checkSnapshotRevert(snap, { persistent: true, def: { name: "vm" } }, 4, "TEST", true); // false
 * ```
 */
export function checkSnapshotRevert(
  def: SnapshotDef,
  obj: RevertDomain,
  flags: number,
  errorDomain: ErrorDomainName,
  forceAllowsRisky: boolean,
): boolean {
  const run = VIR.DOMAIN_SNAPSHOT_REVERT_RUNNING | VIR.DOMAIN_SNAPSHOT_REVERT_PAUSED;
  const wantRun = (flags & run) !== 0;
  if (!obj.persistent && !isOnlineSnapshot(def) && !wantRun) {
    throw VirError.report(
      errorDomain,
      "OPERATION_INVALID",
      "transient domain needs to request run or pause to revert to inactive snapshot",
    );
  }
  const forced = forceAllowsRisky && (flags & VIR.DOMAIN_SNAPSHOT_REVERT_FORCE) !== 0;
  if (!def.dom && !forced) {
    throw VirError.report(
      errorDomain,
      "SNAPSHOT_REVERT_RISKY",
      `snapshot '${def.name}' lacks domain '${obj.def.name}' rollback info`,
    );
  }
  return wantRun;
}
