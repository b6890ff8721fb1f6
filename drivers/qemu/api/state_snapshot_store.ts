/**
 * Snapshot metadata of QEMU domains on disk ({@link momentStore} under `snapshotDir`) and the
 * undefine rule for it.
 *
 * @module
 */
import {
  formatSnapshotXML,
  parseSnapshotXML,
  type SnapshotDef,
  snapshotNames,
} from "../../../conf/snapshot/mod.ts";
import { isActive } from "../../../conf/objects/domain_obj.ts";
import type { MomentList } from "../../../conf/objects/moment_list.ts";
import { VIR } from "../../../util/constants.ts";
import { VirError } from "../../../util/errors.ts";
import { momentStore } from "./moment_store.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";

const store = momentStore<SnapshotDef>({
  key: "snapshots",
  dir: (s) => s.paths.snapshotDir,
  list: (obj) => obj.snapshots,
  topological: (list) => snapshotNames(list, undefined, VIR.DOMAIN_SNAPSHOT_LIST_TOPOLOGICAL),
  format: (def, obj) => formatSnapshotXML(def, obj.def.uuid, true),
  parse: (s, xml) => parseSnapshotXML(xml, { redefine: true, parseDomain: (x) => s.parse(x) }),
});

/** The file of the snapshots of the domain named `name`. */
export const snapshotsFile = store.file;

/**
 * The domain's snapshot tree, read from disk at first use.
 *
 * @example
 * ```ts
 * import { snapshotsOf } from "./state_snapshot_store.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * (await snapshotsOf(state, obj)).size;
 * ```
 */
export function snapshotsOf(
  s: QemuDriverState,
  obj: QemuDomainObj,
): Promise<MomentList<SnapshotDef>> {
  return store.of(s, obj);
}

/**
 * Writes the domain's snapshot tree (parents before children, so it loads back in order).
 *
 * @example
 * ```ts
 * import { saveSnapshots } from "./state_snapshot_store.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await saveSnapshots(state, obj);
 * ```
 */
export function saveSnapshots(s: QemuDriverState, obj: QemuDomainObj): Promise<void> {
  return store.save(s, obj);
}

/**
 * `qemuDomainUndefineFlags`' rule for snapshots: an inactive domain with snapshots is
 * undefined only with VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA, which discards their metadata
 * (`qemuSnapshotDiscardAllMetadata`); the images keep their snapshots.
 *
 * @example
 * ```ts
 * import { undefineSnapshots } from "./state_snapshot_store.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await undefineSnapshots(state, obj, 0);
 * ```
 */
export async function undefineSnapshots(
  s: QemuDriverState,
  obj: QemuDomainObj,
  flags: number,
): Promise<void> {
  if (isActive(obj)) return;
  const list = await snapshotsOf(s, obj);
  if (!list.size) return;
  if (!(flags & VIR.DOMAIN_UNDEFINE_SNAPSHOTS_METADATA)) {
    throw VirError.report(
      "QEMU",
      "OPERATION_INVALID",
      `cannot delete inactive domain with ${list.size} snapshots`,
    );
  }
  await store.drop(s, obj);
}
