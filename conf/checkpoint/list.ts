/**
 * Listing, creating and redefining a domain's checkpoints the way every driver does
 * (`virDomainCheckpointObjListGetNames`, `virDomainCheckpointRedefinePrep` / `…Commit`, the
 * parent and current bookkeeping of `qemuCheckpointCreateFinalize`).
 *
 * @module
 */
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import type { Moment, MomentList } from "../objects/moment_list.ts";
import { alignCheckpointDisks, assignBitmapNames } from "./align.ts";
import type { CheckpointDef } from "./def.ts";

const E = VIR;
const FILTERS_LEAVES = E.DOMAIN_CHECKPOINT_LIST_LEAVES | E.DOMAIN_CHECKPOINT_LIST_NO_LEAVES;
/** The flags of `virDomainListAllCheckpoints`. */
export const CHECKPOINT_LIST_FLAGS = E.DOMAIN_CHECKPOINT_LIST_ROOTS |
  E.DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL | FILTERS_LEAVES;
/** The flags of `virDomainCheckpointListAllChildren`. */
export const CHECKPOINT_CHILD_FLAGS = E.DOMAIN_CHECKPOINT_LIST_DESCENDANTS |
  E.DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL | FILTERS_LEAVES;

/**
 * virDomainListCheckpoints: the public flags are the moment flags (libvirt asserts they are
 * equal), so LEAVES with NO_LEAVES keeps nothing, as libvirt's. The QEMU driver passes its
 * undefine flags here too, which this takes as they come.
 *
 * @example
 * ```ts
 * import { checkpointNames } from "./list.ts";
 * import { MomentList } from "../objects/moment_list.ts";
 * checkpointNames(new MomentList(), undefined, 0); // []
 * ```
 */
export function checkpointNames(
  list: MomentList<CheckpointDef>,
  from: Moment<CheckpointDef> | undefined,
  flags: number,
): string[] {
  return list.names(from, flags, () => true);
}

/**
 * virDomainCheckpointRedefinePrep: checks a redefinition (no cycle, the domain's uuid, disks
 * aligned with its embedded domain or bitmap names given); returns whether it becomes current
 * (its parent is the current checkpoint, or there is none yet).
 *
 * @example
 * ```ts
 * import { checkpointRedefinePrep } from "./list.ts";
 * import { MomentList } from "../objects/moment_list.ts";
 * checkpointRedefinePrep(new MomentList(), "", { name: "c", creationTime: 1, disks: [] }); // true
 * ```
 */
export function checkpointRedefinePrep(
  list: MomentList<CheckpointDef>,
  uuid: string,
  def: CheckpointDef,
): boolean {
  list.checkCycles(def);
  if (def.dom) {
    if (def.dom.uuid !== uuid) {
      throw VirError.report(
        "DOMAIN_CHECKPOINT",
        "INVALID_ARG",
        `definition for checkpoint ${def.name} must use uuid ${uuid}`,
      );
    }
    alignCheckpointDisks(def);
  } else assignBitmapNames(def);
  const parent = list.find(def.parent);
  return (parent !== undefined && parent === list.current) || !list.current;
}

/**
 * virDomainCheckpointRedefineCommit: the redefinition replaces a same-named checkpoint
 * (keeping its children) or becomes a new, unlinked one.
 *
 * @example
 * ```ts
 * import { checkpointRedefineCommit } from "./list.ts";
 * import { MomentList } from "../objects/moment_list.ts";
 * checkpointRedefineCommit(new MomentList(), { name: "c", creationTime: 1, disks: [] }).def.name; // "c"
 * ```
 */
export function checkpointRedefineCommit(
  list: MomentList<CheckpointDef>,
  def: CheckpointDef,
): Moment<CheckpointDef> {
  const other = list.find(def.name);
  if (!other) return list.assign(def);
  list.dropParent(other);
  other.def = def;
  return other;
}

/**
 * The end of a checkpoint's creation (`qemuCheckpointCreateFinalize`, testDomainCheckpointCreateXML):
 * current if asked, linked under its parent.
 *
 * @example
 * ```ts
 * import { checkpointLink } from "./list.ts";
 * import { MomentList } from "../objects/moment_list.ts";
 * const list = new MomentList<import("./def.ts").CheckpointDef>();
 * checkpointLink(list, list.assign({ name: "c", creationTime: 1, disks: [] }), true);
 * ```
 */
export function checkpointLink(
  list: MomentList<CheckpointDef>,
  chk: Moment<CheckpointDef>,
  makeCurrent: boolean,
): void {
  if (makeCurrent) list.current = chk;
  list.linkParent(chk);
}
