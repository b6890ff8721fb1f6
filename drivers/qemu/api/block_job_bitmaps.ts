/**
 * Checkpoints' bitmaps through block jobs, as libvirt 9.0's `qemu_blockjob.c`: a job that
 * changes a disk's chain would leave bitmaps in layers that go, or miss the writes made in
 * them. A pivot first adds {@link ACTIVE_WRITE_BITMAP} on its destination (`qemuBlockPivot`);
 * once the job completed, and before the chain changes, the bitmaps of the layers that go are
 * merged into the layer that stays (`qemuBlockJobProcessEventCompleted{Pull,Commit,Copy}Bitmaps`),
 * a backing base reopened read-write for it; a failed active commit drops the write bitmap.
 *
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { XmlElement } from "../../../util/xml/mod.ts";
import type { QemuMonitor } from "../monitor/qemu_monitor.ts";
import { diskChain } from "./block_chain.ts";
import type { StoredBlockJob } from "./block_job_state.ts";
import {
  ACTIVE_WRITE_BITMAP,
  bitmapAdd,
  bitmapMergeActions,
  bitmapRemove,
  type ChainLayer,
  chainNodes,
  nodeBitmaps,
  whileWritable,
} from "./checkpoint_bitmaps.ts";
import { diskNodes } from "./device_disk.ts";

const E = VIR;

/** What a job merges at its end: from which layer, down to which, into which node. */
interface JobMerge {
  top: number;
  base?: number;
  target: string;
  /** The job's pivot destination, whose write bitmap is merged too. */
  writeNode?: string;
  /** A backing layer written to, reopened read-write around the merge. */
  reopen?: ChainLayer;
  /**
   * The chain ends above the base (an active commit merges once the base is cut from the old
   * top), which the bitmaps' validity is checked along.
   */
  cut?: boolean;
}

/** The node a pivot switches the disk to: the commit's base, or the copy's destination. */
function pivotNode(job: StoredBlockJob, nodes: string[]): string | undefined {
  if (job.type === E.DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT) return nodes[job.plan.fromBase!];
  const index = job.plan.mirror?.[0].index;
  return index === undefined ? undefined : diskNodes(index).format;
}

/** What the completed job's layers merge into, by its type (libvirt's per-type handlers). */
function mergeOf(job: StoredBlockJob, disk: XmlElement, nodes: string[]): JobMerge | undefined {
  const { keepTop, fromBase } = job.plan;
  switch (job.type) {
    case E.DOMAIN_BLOCK_JOB_TYPE_PULL:
      return { top: 0, base: fromBase, target: nodes[0] };
    case E.DOMAIN_BLOCK_JOB_TYPE_COMMIT:
      return {
        top: keepTop,
        base: fromBase,
        target: nodes[fromBase!],
        reopen: { disk, chain: diskChain(disk), at: fromBase! },
      };
    case E.DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT:
    case E.DOMAIN_BLOCK_JOB_TYPE_COPY: {
      const target = pivotNode(job, nodes);
      const cut = job.type === E.DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT;
      return target ? { top: 0, base: fromBase, target, writeNode: target, cut } : undefined;
    }
  }
  return undefined;
}

/**
 * `qemuBlockPivot`'s bitmap step: the transaction adding the write bitmap on the pivot's
 * destination (its failure ignored, as libvirt's), before `job-complete`.
 *
 * @example
 * ```ts
 * import { pivotBitmaps } from "./block_job_bitmaps.ts";
 * declare const mon: import("../monitor/qemu_monitor.ts").QemuMonitor;
 * declare const job: import("./block_job_state.ts").StoredBlockJob;
 * declare const disk: import("../../../util/xml/mod.ts").XmlElement;
 * await pivotBitmaps(mon, job, disk);
 * ```
 */
export async function pivotBitmaps(
  mon: QemuMonitor,
  job: StoredBlockJob,
  disk: XmlElement,
): Promise<void> {
  const node = pivotNode(job, chainNodes(disk));
  if (!node) return;
  await mon.run("transaction", { actions: [bitmapAdd(node, ACTIVE_WRITE_BITMAP, false, false)] })
    .catch(() => {});
}

/**
 * The bitmaps of a completed job's layers merged where the disk goes on, while the live XML
 * still has the chain the job ran on; the merge's own failure is ignored, as libvirt's.
 *
 * @example
 * ```ts
 * import { completedJobBitmaps } from "./block_job_bitmaps.ts";
 * declare const mon: import("../monitor/qemu_monitor.ts").QemuMonitor;
 * declare const job: import("./block_job_state.ts").StoredBlockJob;
 * declare const disk: import("../../../util/xml/mod.ts").XmlElement;
 * await completedJobBitmaps(mon, job, disk);
 * ```
 */
export async function completedJobBitmaps(
  mon: QemuMonitor,
  job: StoredBlockJob,
  disk: XmlElement,
): Promise<void> {
  const nodes = chainNodes(disk);
  const merge = mergeOf(job, disk, nodes);
  if (!merge) return;
  const data = await nodeBitmaps(mon);
  const chain = nodes.slice(merge.top, merge.cut ? merge.base : undefined);
  const actions = bitmapMergeActions({
    chain,
    until: merge.base === undefined ? undefined : merge.base - merge.top,
    target: merge.target,
    writeNode: merge.writeNode,
  }, data);
  if (!actions.length) return;
  await whileWritable(
    mon,
    merge.reopen ? [merge.reopen] : [],
    () => mon.run("transaction", { actions }).catch(() => {}),
  );
}

/**
 * `qemuBlockJobProcessEventFailedActiveCommit`'s bitmap step: the write bitmap goes from the
 * base again.
 *
 * @example
 * ```ts
 * import { failedJobBitmaps } from "./block_job_bitmaps.ts";
 * declare const mon: import("../monitor/qemu_monitor.ts").QemuMonitor;
 * declare const job: import("./block_job_state.ts").StoredBlockJob;
 * declare const disk: import("../../../util/xml/mod.ts").XmlElement;
 * await failedJobBitmaps(mon, job, disk);
 * ```
 */
export async function failedJobBitmaps(
  mon: QemuMonitor,
  job: StoredBlockJob,
  disk: XmlElement,
): Promise<void> {
  if (job.type !== E.DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT) return;
  const node = pivotNode(job, chainNodes(disk))!;
  const { type, data } = bitmapRemove(node, ACTIVE_WRITE_BITMAP);
  await mon.run(type, data).catch(() => {});
}
