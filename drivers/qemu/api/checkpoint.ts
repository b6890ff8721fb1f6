/**
 * Checkpoints of the QEMU driver (`qemu_checkpoint.c` of libvirt 9.0): a checkpoint of a
 * running domain is one persistent, recording dirty bitmap per qcow2 disk, named after it and
 * added to each disk's top format node in one QMP `transaction`; deleting one removes its
 * bitmaps (libvirt 9.0 merges nothing: every checkpoint's bitmap records from its own creation
 * on); `REDEFINE` only records metadata, `REDEFINE_VALIDATE` first checks the bitmaps are in
 * the images; `XML_SIZE` computes each disk's dirty bytes by merging the chain's bitmap into a
 * temporary one. External snapshots and block jobs carry the bitmaps along
 * (`snapshot_external.ts`, `block_job_bitmaps.ts`). The metadata tree is shared with the other
 * drivers (`conf/checkpoint`).
 *
 * @module
 */
import {
  alignCheckpointDisks,
  CHECKPOINT_CHILD_FLAGS,
  CHECKPOINT_LIST_FLAGS,
  type CheckpointDef,
  checkpointLink,
  checkpointNames,
  checkpointRedefineCommit,
  checkpointRedefinePrep,
  formatCheckpointXML,
  parseCheckpointXML,
} from "../../../conf/checkpoint/mod.ts";
import type { DomainDef } from "../../../conf/domain/def.ts";
import { formatDomainXML } from "../../../conf/domain/mod.ts";
import { checkActive, isActive } from "../../../conf/objects/domain_obj.ts";
import { reparentChildren } from "../../../conf/objects/moment_delete.ts";
import type { Moment } from "../../../conf/objects/moment_list.ts";
import { VIR } from "../../../util/constants.ts";
import type { DomainRef, DriverConnection } from "../../../util/driver.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import { child, type XmlElement } from "../../../util/xml/mod.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import {
  bitmapAdd,
  bitmapChainIsValid,
  bitmapMergeActions,
  bitmapOf,
  bitmapRemove,
  type ChainLayer,
  chainNodes,
  nodeBitmaps,
  type TransactionAction,
  whileWritable,
} from "./checkpoint_bitmaps.ts";
import { checkpointByName, checkpointsOf, saveCheckpoints } from "./checkpoint_store.ts";
import { diskChain } from "./block_chain.ts";
import { checkBlockJobSupported } from "./block_job_support.ts";

const E = VIR;
/** The bitmap `qemuCheckpointGetXMLDescUpdateSize` merges into and drops again. */
const SIZE_BITMAP = "libvirt-tmp-size-xml";

const unsupported = (msg: string) => VirError.report("QEMU", "OPERATION_UNSUPPORTED", msg);
const config = (msg: string) => VirError.report("QEMU", "CONFIG_UNSUPPORTED", msg);

/** `virDomainDiskByTarget`. */
function diskByTarget(dom: DomainDef, dst: string): XmlElement | undefined {
  return dom.devices.other.find((d) =>
    d.name === "disk" && child(d, "target")?.attributes.dev === dst
  );
}

/** `qemuMonitorTransaction`. */
async function transaction(obj: QemuDomainObj, actions: TransactionAction[]): Promise<void> {
  await obj.proc!.monitor.run("transaction", { actions });
}

/**
 * `qemuCheckpointPrepare`: the checkpoint captures the running definition, aligns its disks,
 * and each bitmap disk must carry the checkpoint's name, be qcow2 and take block jobs.
 */
function prepare(s: QemuDriverState, obj: QemuDomainObj, def: CheckpointDef): void {
  // The running definition as inactive XML and back (aliases and indexes go), as libvirt's.
  const xml = formatDomainXML(s.liveDefinition(obj), E.DOMAIN_XML_INACTIVE | E.DOMAIN_XML_SECURE);
  const dom = s.parse(xml);
  def.dom = dom;
  alignCheckpointDisks(def);
  const disks = dom.devices.other.filter((d) => d.name === "disk");
  def.disks.forEach((disk, i) => {
    if (disk.checkpoint !== "bitmap") return;
    if (disk.bitmap !== def.name) {
      throw config(`bitmap for disk '${disk.name}' must match checkpoint name '${def.name}'`);
    }
    const format = child(disks[i], "driver")?.attributes.type ?? "raw";
    if (format !== "qcow2") {
      throw config(`checkpoint for disk ${disk.name} unsupported for storage type ${format}`);
    }
    checkBlockJobSupported(disks[i]);
  });
}

/**
 * `qemuCheckpointCreateCommon`: the checkpoint checked and assigned (not yet linked), and the
 * transaction actions adding its bitmaps; whoever runs them removes the checkpoint from
 * `obj.checkpoints` if they fail (`qemuCheckpointRollbackMetadata`).
 *
 * @example
 * ```ts
 * import { checkpointActions } from "./checkpoint.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * declare const def: import("../../../conf/checkpoint/mod.ts").CheckpointDef;
 * const { chk, actions } = checkpointActions(state, obj, def);
 * ```
 */
export function checkpointActions(
  s: QemuDriverState,
  obj: QemuDomainObj,
  def: CheckpointDef,
): { chk: Moment<CheckpointDef>; actions: TransactionAction[] } {
  prepare(s, obj, def);
  const list = obj.checkpoints;
  def.parent = list.current?.def.name;
  const actions: TransactionAction[] = [];
  for (const disk of def.disks) {
    const domDisk = diskByTarget(obj.def, disk.name);
    if (!domDisk || disk.checkpoint !== "bitmap") continue;
    const [top] = chainNodes(domDisk);
    actions.push(bitmapAdd(top, disk.bitmap!, true, false));
  }
  return { chk: list.assign(def), actions };
}

/** `qemuCheckpointCreate`: the bitmaps in one transaction, the checkpoint assigned. */
async function create(
  s: QemuDriverState,
  obj: QemuDomainObj,
  def: CheckpointDef,
): Promise<Moment<CheckpointDef>> {
  const { chk, actions } = checkpointActions(s, obj, def);
  try {
    await transaction(obj, actions);
  } catch (err) {
    obj.checkpoints.remove(chk);
    throw err;
  }
  return chk;
}

/**
 * `qemuCheckpointRedefineValidateBitmaps`: the domain runs and each bitmap disk still present
 * has a valid bitmap chain named after the checkpoint.
 */
async function validateBitmaps(obj: QemuDomainObj, def: CheckpointDef): Promise<void> {
  checkActive(obj);
  const data = await nodeBitmaps(obj.proc!.monitor);
  for (const disk of def.disks) {
    if (disk.checkpoint !== "bitmap") continue;
    const domDisk = diskByTarget(obj.def, disk.name);
    if (!domDisk) continue;
    if (!bitmapChainIsValid(chainNodes(domDisk), def.name, data)) {
      throw VirError.report(
        "QEMU",
        "CHECKPOINT_INCONSISTENT",
        `missing or broken bitmap '${def.name}' for disk '${disk.name}'`,
      );
    }
  }
}

/**
 * `qemuCheckpointCreateXML`: returns the checkpoint's name.
 *
 * @example
 * ```ts
 * import { createCheckpoint } from "./checkpoint.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await createCheckpoint(state, obj, "<domaincheckpoint><name>c1</name></domaincheckpoint>", 0);
 * ```
 */
export async function createCheckpoint(
  s: QemuDriverState,
  obj: QemuDomainObj,
  xml: string,
  flags: number,
): Promise<string> {
  checkFlags(
    flags,
    E.DOMAIN_CHECKPOINT_CREATE_REDEFINE | E.DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE,
    "qemuCheckpointCreateXML",
    "QEMU",
  );
  const redefine = (flags & E.DOMAIN_CHECKPOINT_CREATE_REDEFINE) !== 0;
  if (!redefine && !isActive(obj)) {
    throw unsupported("cannot create checkpoint for inactive domain");
  }
  const def = parseCheckpointXML(xml, { redefine, parseDomain: (x) => s.parse(x) });
  const list = await checkpointsOf(s, obj);
  return await obj.job.run(async () => {
    let chk: Moment<CheckpointDef>;
    let current = true;
    if (redefine) {
      current = checkpointRedefinePrep(list, obj.def.uuid, def);
      if (flags & E.DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE) await validateBitmaps(obj, def);
      chk = checkpointRedefineCommit(list, def);
    } else chk = await create(s, obj, def);
    checkpointLink(list, chk, current);
    await saveCheckpoints(s, obj);
    return chk.def.name;
  });
}

/**
 * `qemuCheckpointDiscardBitmaps`: one transaction removing the checkpoint's bitmap from every
 * layer of each of its disks that has it (a disk unplugged since is skipped); a backing layer
 * holding it (an external snapshot propagated it) is reopened read-write around the
 * transaction and read-only again after, whatever the outcome.
 */
async function discardBitmaps(obj: QemuDomainObj, def: CheckpointDef): Promise<void> {
  const mon = obj.proc!.monitor;
  const data = await nodeBitmaps(mon);
  const actions: TransactionAction[] = [];
  const reopen: ChainLayer[] = [];
  for (const disk of def.disks) {
    const domDisk = diskByTarget(obj.def, disk.name);
    if (!domDisk || disk.checkpoint !== "bitmap") continue;
    if (disk.bitmap === undefined) {
      throw VirError.report(
        "QEMU",
        "INVALID_ARG",
        `missing bitmap name for disk '${disk.name}' of checkpoint '${def.name}'`,
      );
    }
    const chain = diskChain(domDisk);
    const nodes = chainNodes(domDisk);
    const holders = nodes.filter((n) => bitmapOf(data, n, disk.bitmap!));
    if (!holders.length) {
      throw VirError.report(
        "QEMU",
        "INTERNAL_ERROR",
        `bitmap '${disk.bitmap}' not found in backing chain of '${disk.name}'`,
      );
    }
    for (const node of holders) {
      actions.push(bitmapRemove(node, disk.bitmap));
      const at = nodes.indexOf(node);
      if (at > 0) reopen.unshift({ disk: domDisk, chain, at });
    }
  }
  await whileWritable(mon, reopen, () => transaction(obj, actions));
}

/**
 * `qemuCheckpointDelete`: the checkpoint (or, as asked, its descendants too, or only them)
 * goes from the images and from the metadata; METADATA_ONLY leaves the images alone, and is
 * the only way on a shut-off domain.
 *
 * @example
 * ```ts
 * import { deleteCheckpoint } from "./checkpoint.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await deleteCheckpoint(state, obj, "c1", 0);
 * ```
 */
export async function deleteCheckpoint(
  s: QemuDriverState,
  obj: QemuDomainObj,
  name: string,
  flags: number,
): Promise<void> {
  checkFlags(
    flags,
    E.DOMAIN_CHECKPOINT_DELETE_CHILDREN | E.DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY |
      E.DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY,
    "qemuCheckpointDelete",
    "QEMU",
  );
  const metadataOnly = (flags & E.DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY) !== 0;
  const children = (flags & E.DOMAIN_CHECKPOINT_DELETE_CHILDREN) !== 0;
  const childrenOnly = (flags & E.DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY) !== 0;
  await checkpointsOf(s, obj);
  await obj.job.run(async () => {
    if (!metadataOnly && !isActive(obj)) {
      throw unsupported("cannot delete checkpoint for inactive domain");
    }
    const chk = await checkpointByName(s, obj, name);
    const list = obj.checkpoints;
    try {
      if (children || childrenOnly) {
        // Every descendant is tried, each before its children; the first failure is reported
        // once the others are gone (qemuDomainMomentDiscardAll).
        const current = list.current;
        let failure: unknown;
        let found = false;
        for (const m of list.descendants(chk)) {
          found ||= m === current;
          await discard(obj, m, false, metadataOnly).catch((err) => failure ??= err);
        }
        if (failure) throw failure;
        if (found) list.current = chk;
      } else reparentChildren(list, chk);
      if (childrenOnly) chk.children = [];
      else await discard(obj, chk, true, metadataOnly);
    } finally {
      await saveCheckpoints(s, obj);
    }
  });
}

/**
 * `qemuCheckpointDiscard`: the checkpoint's bitmaps (unless only metadata goes), then the
 * checkpoint; a current one hands that role to its parent when `updateParent`.
 */
async function discard(
  obj: QemuDomainObj,
  chk: Moment<CheckpointDef>,
  updateParent: boolean,
  metadataOnly: boolean,
): Promise<void> {
  if (!metadataOnly) await discardBitmaps(obj, chk.def);
  const list = obj.checkpoints;
  if (list.current === chk) list.current = updateParent ? list.find(chk.def.parent) : undefined;
  list.dropParent(chk);
  list.remove(chk);
}

/**
 * `qemuCheckpointGetXMLDescUpdateSize`: each bitmap disk's bitmap merged down its chain into a
 * temporary disabled bitmap whose dirty bytes are the size (a leftover one is removed first);
 * disks whose bitmap chain is not valid get no size.
 */
async function bitmapSizes(obj: QemuDomainObj, def: CheckpointDef): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  await obj.job.run(async () => {
    checkActive(obj);
    const mon = obj.proc!.monitor;
    const data = await nodeBitmaps(mon);
    const disks: { name: string; top: string }[] = [];
    const recover: TransactionAction[] = [];
    const merge: TransactionAction[] = [];
    const cleanup: TransactionAction[] = [];
    for (const disk of def.disks) {
      if (disk.checkpoint !== "bitmap") continue;
      const domDisk = diskByTarget(obj.def, disk.name);
      if (!domDisk) continue;
      const chain = chainNodes(domDisk);
      if (!bitmapChainIsValid(chain, def.name, data)) continue;
      disks.push({ name: disk.name, top: chain[0] });
      if (bitmapOf(data, chain[0], SIZE_BITMAP)) recover.push(bitmapRemove(chain[0], SIZE_BITMAP));
      merge.push(
        ...bitmapMergeActions({ chain, target: chain[0], name: def.name, dst: SIZE_BITMAP }, data),
      );
      cleanup.push(bitmapRemove(chain[0], SIZE_BITMAP));
    }
    if (!disks.length) return;
    if (recover.length) await transaction(obj, recover);
    await transaction(obj, merge);
    const stats = await nodeBitmaps(mon);
    await transaction(obj, cleanup);
    for (const d of disks) {
      const bitmap = bitmapOf(stats, d.top, SIZE_BITMAP);
      if (bitmap) sizes.set(d.name, bitmap.count ?? 0);
    }
  });
  return sizes;
}

type CheckpointCalls = Pick<
  DriverConnection,
  | "domainCheckpointCreateXML"
  | "domainListAllCheckpoints"
  | "domainCheckpointGetXMLDesc"
  | "domainCheckpointDelete"
  | "domainCheckpointListAllChildren"
  | "domainCheckpointLookupByName"
  | "domainCheckpointGetParent"
>;

/**
 * The checkpoint calls of a connection; `objOf` resolves a domain reference.
 *
 * @example
 * ```ts
 * import { checkpointCalls } from "./checkpoint.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const objOf: (ref: import("../../../util/driver.ts").DomainRef) => import("../domain_private.ts").QemuDomainObj;
 * const calls = checkpointCalls(state, objOf);
 * ```
 */
export function checkpointCalls(
  s: QemuDriverState,
  objOf: (ref: DomainRef) => QemuDomainObj,
): Required<CheckpointCalls> {
  const one = async (ref: DomainRef, name: string, flags: number, allowed: number, api: string) => {
    checkFlags(flags, allowed, api, "QEMU");
    const obj = objOf(ref);
    return { obj, chk: await checkpointByName(s, obj, name) };
  };
  return {
    domainCheckpointCreateXML: (ref, xml, flags) => createCheckpoint(s, objOf(ref), xml, flags),
    domainCheckpointDelete: (ref, name, flags) => deleteCheckpoint(s, objOf(ref), name, flags),
    domainListAllCheckpoints: async (ref, flags) => {
      checkFlags(flags, CHECKPOINT_LIST_FLAGS, "qemuDomainListAllCheckpoints", "QEMU");
      return checkpointNames(await checkpointsOf(s, objOf(ref)), undefined, flags);
    },
    domainCheckpointListAllChildren: async (ref, name, flags) => {
      const { obj, chk } = await one(
        ref,
        name,
        flags,
        CHECKPOINT_CHILD_FLAGS,
        "qemuDomainCheckpointListAllChildren",
      );
      return checkpointNames(obj.checkpoints, chk, flags);
    },
    domainCheckpointLookupByName: async (ref, name, flags) =>
      (await one(ref, name, flags, 0, "qemuDomainCheckpointLookupByName")).chk.def.name,
    domainCheckpointGetParent: async (ref, name, flags) => {
      const { chk } = await one(ref, name, flags, 0, "qemuDomainCheckpointGetParent");
      if (chk.def.parent !== undefined) return chk.def.parent;
      throw VirError.report(
        "QEMU",
        "NO_DOMAIN_CHECKPOINT",
        `checkpoint '${name}' does not have a parent`,
      );
    },
    domainCheckpointGetXMLDesc: async (ref, name, flags) => {
      const { obj, chk } = await one(
        ref,
        name,
        flags,
        E.DOMAIN_CHECKPOINT_XML_SECURE | E.DOMAIN_CHECKPOINT_XML_NO_DOMAIN |
          E.DOMAIN_CHECKPOINT_XML_SIZE,
        "qemuCheckpointGetXMLDesc",
      );
      const sizes = flags & E.DOMAIN_CHECKPOINT_XML_SIZE
        ? await bitmapSizes(obj, chk.def)
        : undefined;
      return formatCheckpointXML(chk.def, {
        noDomain: (flags & E.DOMAIN_CHECKPOINT_XML_NO_DOMAIN) !== 0,
        secure: (flags & E.DOMAIN_CHECKPOINT_XML_SECURE) !== 0,
        sizes,
      });
    },
  };
}
