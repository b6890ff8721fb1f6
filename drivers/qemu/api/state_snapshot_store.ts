/**
 * Snapshot metadata of QEMU domains on disk (libvirt keeps one XML per snapshot in
 * `snapshotDir/<domain>/`; edgevirt keeps one file per domain): every snapshot's XML, parents
 * first, and which one is current. A domain's tree is read from disk the first time it is
 * used after the driver opened.
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
import { writeFileAtomic } from "../process/atomic_file.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";

/** The stored form. */
interface Stored {
  current?: string;
  snapshots: string[];
}

const loaded = new WeakSet<QemuDomainObj>();

const fileOf = (s: QemuDriverState, obj: QemuDomainObj) =>
  `${s.paths.snapshotDir}/${obj.def.name}.json`;

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
export async function snapshotsOf(
  s: QemuDriverState,
  obj: QemuDomainObj,
): Promise<MomentList<SnapshotDef>> {
  if (loaded.has(obj)) return obj.snapshots;
  loaded.add(obj);
  let stored: Stored;
  try {
    stored = JSON.parse(await Deno.readTextFile(fileOf(s, obj)));
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) {
      s.log(`cannot read the snapshots of '${obj.def.name}': ${err}`);
    }
    return obj.snapshots;
  }
  for (const xml of stored.snapshots) {
    try {
      const def = parseSnapshotXML(xml, { redefine: true, parseDomain: (x) => s.parse(x) });
      obj.snapshots.linkParent(obj.snapshots.assign(def));
    } catch (err) {
      s.log(`skipping a snapshot of '${obj.def.name}': ${err}`);
    }
  }
  obj.snapshots.current = obj.snapshots.find(stored.current);
  return obj.snapshots;
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
export async function saveSnapshots(s: QemuDriverState, obj: QemuDomainObj): Promise<void> {
  const list = obj.snapshots;
  const names = snapshotNames(list, undefined, VIR.DOMAIN_SNAPSHOT_LIST_TOPOLOGICAL);
  const stored: Stored = {
    current: list.current?.def.name,
    snapshots: names.map((n) => formatSnapshotXML(list.find(n)!.def, obj.def.uuid, true)),
  };
  await Deno.mkdir(s.paths.snapshotDir, { recursive: true });
  await writeFileAtomic(fileOf(s, obj), JSON.stringify(stored));
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
  list.clear();
  await Deno.remove(fileOf(s, obj)).catch(() => {});
}
