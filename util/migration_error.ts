/**
 * Which error a managed migration reports when both Perform and Finish failed
 * (`virDomainMigrateVersion3Full`, `qemuMigrationSrcPerformPeer2Peer3`): the first, unless it is
 * the source QEMU driver's generic failure and the destination's QEMU driver said something
 * useful (any error but MIGRATE_FINISH_OK).
 *
 * @module
 */
import { VIR } from "./constants.ts";
import { VirError } from "./errors.ts";

/**
 * The error to keep of `first` (Perform's, or none) and `finish` (Finish's).
 *
 * @example
 * ```ts
 * import { keptMigrationError } from "./migration_error.ts";
 * keptMigrationError(undefined, new Error("finish failed")).message; // "finish failed"
 * ```
 */
export function keptMigrationError(first: unknown, finish: unknown): unknown {
  const generic = first instanceof VirError && first.domain === VIR.FROM_QEMU &&
    first.code === VIR.ERR_OPERATION_FAILED;
  const useful = finish instanceof VirError && finish.domain === VIR.FROM_QEMU &&
    finish.code !== VIR.ERR_MIGRATE_FINISH_OK;
  return !first || generic && useful ? finish : first;
}
