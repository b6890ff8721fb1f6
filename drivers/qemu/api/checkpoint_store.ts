/**
 * Checkpoint metadata of QEMU domains on disk ({@link momentStore} under `checkpointDir`),
 * the lookup by name (`qemuCheckpointObjFromName`) and the undefine rule for them.
 *
 * @module
 */
import {
  type CheckpointDef,
  checkpointNames,
  formatCheckpointXML,
  parseCheckpointXML,
} from "../../../conf/checkpoint/mod.ts";
import { isActive } from "../../../conf/objects/domain_obj.ts";
import type { Moment, MomentList } from "../../../conf/objects/moment_list.ts";
import { VIR } from "../../../util/constants.ts";
import { VirError } from "../../../util/errors.ts";
import { momentStore } from "./moment_store.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";

const store = momentStore<CheckpointDef>({
  key: "checkpoints",
  dir: (s) => s.paths.checkpointDir,
  list: (obj) => obj.checkpoints,
  topological: (list) => checkpointNames(list, undefined, VIR.DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL),
  // qemuCheckpointWriteMetadata: VIR_DOMAIN_CHECKPOINT_FORMAT_SECURE.
  format: (def) => formatCheckpointXML(def, { secure: true }),
  parse: (s, xml) => parseCheckpointXML(xml, { redefine: true, parseDomain: (x) => s.parse(x) }),
});

/** The file of the checkpoints of the domain named `name`. */
export const checkpointsFile = store.file;

/**
 * The domain's checkpoint tree, read from disk at first use.
 *
 * @example
 * ```ts
 * import { checkpointsOf } from "./checkpoint_store.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * (await checkpointsOf(state, obj)).size;
 * ```
 */
export function checkpointsOf(
  s: QemuDriverState,
  obj: QemuDomainObj,
): Promise<MomentList<CheckpointDef>> {
  return store.of(s, obj);
}

/**
 * Writes the domain's checkpoint tree (parents before children).
 *
 * @example
 * ```ts
 * import { saveCheckpoints } from "./checkpoint_store.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await saveCheckpoints(state, obj);
 * ```
 */
export function saveCheckpoints(s: QemuDriverState, obj: QemuDomainObj): Promise<void> {
  return store.save(s, obj);
}

/**
 * `qemuCheckpointObjFromName`: a checkpoint by name, or libvirt's NO_DOMAIN_CHECKPOINT error.
 *
 * @example
 * ```ts
 * import { checkpointByName } from "./checkpoint_store.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await checkpointByName(state, obj, "c1");
 * ```
 */
export async function checkpointByName(
  s: QemuDriverState,
  obj: QemuDomainObj,
  name: string,
): Promise<Moment<CheckpointDef>> {
  const chk = (await checkpointsOf(s, obj)).find(name);
  if (chk) return chk;
  throw VirError.report(
    "QEMU",
    "NO_DOMAIN_CHECKPOINT",
    `no domain checkpoint with matching name '${name}'`,
  );
}

/** The moment-list flags `virDomainMomentObjListGetNames` accepts (VIR_DOMAIN_MOMENT_FILTERS_ALL). */
const MOMENT_FILTERS_ALL = 0x3f;

/**
 * `qemuDomainUndefineFlags`' rule for checkpoints: an inactive domain with checkpoints is
 * undefined only with VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA, which discards their metadata
 * (`qemuCheckpointDiscardAllMetadata`); the images keep their bitmaps. libvirt counts them with
 * the undefine flags as list filters (`virDomainListCheckpoints(…, flags)`), so `--nvram`
 * counts leaves only, and a flag past the list's (`--tpm`) makes the count fail and skips the
 * rule; this counts the same way.
 *
 * @example
 * ```ts
 * import { undefineCheckpoints } from "./checkpoint_store.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await undefineCheckpoints(state, obj, 0);
 * ```
 */
export async function undefineCheckpoints(
  s: QemuDriverState,
  obj: QemuDomainObj,
  flags: number,
): Promise<void> {
  if (isActive(obj) || flags & ~MOMENT_FILTERS_ALL) return;
  const count = checkpointNames(await checkpointsOf(s, obj), undefined, flags).length;
  if (!count) return;
  if (!(flags & VIR.DOMAIN_UNDEFINE_CHECKPOINTS_METADATA)) {
    throw VirError.report(
      "QEMU",
      "OPERATION_INVALID",
      `cannot delete inactive domain with ${count} checkpoints`,
    );
  }
  await store.drop(s, obj);
}
