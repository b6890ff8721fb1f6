/**
 * How deleting a snapshot or checkpoint reshapes a domain's moment tree, as the drivers'
 * `*SnapshotDelete` / `*CheckpointDelete` do with the `virDomainMoment*` helpers.
 *
 * @module
 */
import type { Moment, MomentLike, MomentList } from "./moment_list.ts";

/**
 * Removes a moment the way testDomainSnapshotDelete / testDomainCheckpointDelete do:
 * CHILDREN(_ONLY) discards the descendants (the moment becomes current if one of them was),
 * otherwise the children move up to the moment's parent; unless only the children go, the
 * moment itself is dropped and its parent becomes current if it was.
 *
 * @example
 * ```ts
 * import { deleteMoment } from "./moment_delete.ts";
 * declare const obj: import("./domain_obj.ts").DomainObj;
 * deleteMoment(obj.snapshots, obj.snapshots.find("s1")!, { children: false, childrenOnly: false });
 * ```
 */
export function deleteMoment<D extends MomentLike>(
  list: MomentList<D>,
  moment: Moment<D>,
  how: { children: boolean; childrenOnly: boolean },
): void {
  if (how.children || how.childrenOnly) {
    let current = false;
    for (const d of list.descendants(moment)) current = list.remove(d) || current;
    if (current) list.current = moment;
  } else reparentChildren(list, moment);
  if (how.childrenOnly) {
    moment.children = [];
    return;
  }
  list.dropParent(moment);
  if (list.current === moment) list.current = list.find(moment.def.parent);
  list.remove(moment);
}

/**
 * The children of a moment that goes move up to its parent (the metaroot for a root), their
 * definitions naming it (`qemuCheckpointReparentChildren`, `virDomainMomentMoveChildren`).
 *
 * @example
 * ```ts
 * import { reparentChildren } from "./moment_delete.ts";
 * declare const obj: import("./domain_obj.ts").DomainObj;
 * reparentChildren(obj.checkpoints, obj.checkpoints.find("c1")!);
 * ```
 */
export function reparentChildren<D extends MomentLike>(
  list: MomentList<D>,
  moment: Moment<D>,
): void {
  if (!moment.children.length) return;
  for (const c of moment.children as Moment<D>[]) c.def.parent = moment.parent?.def?.name;
  list.moveChildren(moment, moment.parent ?? list.metaroot);
}
