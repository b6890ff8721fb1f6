/**
 * The block jobs a domain has running (libvirt's `qemuBlockJobData` per disk) and what ends
 * them: QEMU's JOB_STATUS_CHANGE drives each job (`qemu_blockjob.c`). READY marks a mirror
 * ready; CONCLUDED ends the job (its error from `query-jobs`, then `job-dismiss`), carries the
 * checkpoints' bitmaps over (`block_job_bitmaps.ts`), applies its chain change to the live (and matching persistent) disk, drops the nodes that left, and emits
 * BLOCK_JOB (local disks) and BLOCK_JOB_2 as libvirt does. Jobs are data, kept in the status
 * file, so that a driver restarted meanwhile picks them up again.
 *
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import { VirError } from "../../../util/errors.ts";
import { child } from "../../../util/xml/mod.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import {
  configDisk,
  diskChain,
  dstOf,
  type Layer,
  writeChain,
  writeMirror,
} from "./block_chain.ts";
import { completedJobBitmaps, failedJobBitmaps } from "./block_job_bitmaps.ts";

const E = VIR;

/**
 * What a completed job makes of the disk's chain: `mirror` on top (a copy's destination),
 * then the `keepTop` top layers, then the layers from `fromBase` down.
 */
export interface ChainPlan {
  mirror?: Layer[];
  keepTop: number;
  fromBase?: number;
}

/**
 * The chain a plan leaves.
 *
 * @example
 * ```ts
 * import { applyPlan } from "./block_job_state.ts";
 * const chain = [{ file: "/s2", format: "qcow2" }, { file: "/s1", format: "qcow2" }, { file: "/b", format: "raw" }];
 * applyPlan({ keepTop: 1, fromBase: 2 }, chain).map((l) => l.file); // ["/s2", "/b"]
 * ```
 */
export function applyPlan(plan: ChainPlan, chain: Layer[]): Layer[] {
  return [
    ...plan.mirror ?? [],
    ...chain.slice(0, plan.keepTop),
    ...(plan.fromBase === undefined ? [] : chain.slice(plan.fromBase)),
  ];
}

/** What the status file keeps of a job. */
export interface StoredBlockJob {
  name: string;
  /** VIR_DOMAIN_BLOCK_JOB_TYPE_* */
  type: number;
  dst: string;
  state: "running" | "ready" | "aborting" | "pivoting";
  /** The chain once the job completes (and, for a pivot, once it pivots). */
  plan: ChainPlan;
  /**
   * How many layers from the top the persistent disk must share to follow the change; none
   * for a job whose change stays in the live definition (a copy).
   */
  depth?: number;
  /** Nodes that go when the job does not complete (a copy's destination). */
  discard?: string[];
  /** The files that leave the chain are deleted once it completes (COMMIT_DELETE). */
  deleteFiles?: boolean;
}

/** One job libvirt started on a disk. */
export interface BlockJob extends StoredBlockJob {
  /**
   * Resolves with the job's final status (VIR_DOMAIN_BLOCK_JOB_COMPLETED, …), or
   * {@link JOB_DOMAIN_STOPPED}.
   */
  ended: Promise<number>;
  end: (status: number) => void;
  /** Resolves once the job is ready to pivot. */
  ready: Promise<void>;
  markReady: () => void;
  error?: string;
  /** QEMU's `progress-current` and `progress-total` of the job when it concluded. */
  progress?: { current: number; total: number };
}

const jobs = new WeakMap<QemuDomainObj, Map<string, BlockJob>>();

/** What `ended` resolves with when the domain stopped under the job. */
export const JOB_DOMAIN_STOPPED = -1;

/** The domain's block jobs by disk target. */
export function jobsOf(obj: QemuDomainObj): Map<string, BlockJob> {
  let map = jobs.get(obj);
  if (!map) jobs.set(obj, map = new Map());
  return map;
}

/**
 * `qemuDomainDiskBlockJobIsActive`: refuses a disk that has a block job already.
 *
 * @example
 * ```ts
 * import { diskBusy } from "./block_job_state.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * diskBusy(obj, "vda");
 * ```
 */
export function diskBusy(obj: QemuDomainObj, dst: string): void {
  if (jobsOf(obj).has(dst)) {
    throw VirError.report(
      "QEMU",
      "BLOCK_COPY_ACTIVE",
      `disk '${dst}' already in active block job`,
    );
  }
}

/** Records a job started on its disk (before QEMU is asked, so that its events find it). */
export function register(
  obj: QemuDomainObj,
  job: Omit<StoredBlockJob, "state">,
  state: StoredBlockJob["state"] = "running",
): BlockJob {
  let end!: (status: number) => void;
  const ended = new Promise<number>((r) => end = r);
  let markReady!: () => void;
  const ready = new Promise<void>((r) => markReady = r);
  if (state === "ready") markReady();
  const full: BlockJob = { ...job, state, ended, end, ready, markReady };
  jobsOf(obj).set(job.dst, full);
  return full;
}

/** The BLOCK_JOB (local disks with a medium) and BLOCK_JOB_2 events of a job's new status. */
function emitJobEvents(
  s: QemuDriverState,
  obj: QemuDomainObj,
  job: BlockJob,
  status: number,
): void {
  const disk = obj.def.devices.other.find((d) => d.name === "disk" && dstOf(d) === job.dst);
  const file = disk && child(disk, "source")?.attributes.file;
  if (file) {
    s.emitOther(obj, E.DOMAIN_EVENT_ID_BLOCK_JOB, { disk: file, type: job.type, status });
  }
  s.emitOther(obj, E.DOMAIN_EVENT_ID_BLOCK_JOB_2, { disk: job.dst, type: job.type, status });
}

/**
 * QMP JOB_STATUS_CHANGE of a block job this driver started (others are not its business).
 *
 * @example
 * ```ts ignore
 * import { blockJobStatusChanged } from "./block_job_state.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * blockJobStatusChanged(state, obj, { id: "commit-vda", status: "ready" });
 * ```
 */
export function blockJobStatusChanged(
  s: QemuDriverState,
  obj: QemuDomainObj,
  data: Record<string, unknown>,
): void {
  const job = [...jobsOf(obj).values()].find((j) => j.name === data.id);
  if (!job) return;
  if (data.status === "ready" && job.state === "running") {
    job.state = "ready";
    job.markReady();
    const disk = obj.def.devices.other.find((d) => d.name === "disk" && dstOf(d) === job.dst);
    const mirror = disk && child(disk, "mirror");
    if (mirror) mirror.attributes = { ...mirror.attributes, ready: "yes" };
    emitJobEvents(s, obj, job, E.DOMAIN_BLOCK_JOB_READY);
    void s.saveStatus(obj).catch(() => {});
  } else if (data.status === "concluded") {
    void concluded(s, obj, job).catch((err) => s.log(`block job '${job.name}': ${err}`));
  }
}

/** A `query-jobs` entry (the fields used). */
export interface QmpJobInfo {
  id: string;
  status?: string;
  error?: string;
  "current-progress"?: number;
  "total-progress"?: number;
}

/** `qemuBlockJobEventProcessConcluded`: the job's outcome applied, then announced. */
async function concluded(s: QemuDriverState, obj: QemuDomainObj, job: BlockJob): Promise<void> {
  const mon = obj.proc!.monitor;
  const info = (await mon.run<QmpJobInfo[]>("query-jobs")).find((j) => j.id === job.name);
  await mon.run("job-dismiss", { id: job.name }).catch(() => {});
  job.error = info?.error;
  job.progress = { current: info?.["current-progress"] ?? 0, total: info?.["total-progress"] ?? 0 };
  let status: number = job.error ? E.DOMAIN_BLOCK_JOB_FAILED : E.DOMAIN_BLOCK_JOB_COMPLETED;
  if (job.state === "aborting") status = E.DOMAIN_BLOCK_JOB_CANCELED;
  const disk = obj.def.devices.other.find((d) => d.name === "disk" && dstOf(d) === job.dst);
  jobsOf(obj).delete(job.dst);
  // A backup's nodes and images are its own business (`qemuBackupNotifyBlockjobEnd`).
  if (disk && job.type !== E.DOMAIN_BLOCK_JOB_TYPE_BACKUP) {
    // The bitmaps follow while the live XML still has the chain the job ran on.
    await (status === E.DOMAIN_BLOCK_JOB_COMPLETED ? completedJobBitmaps : failedJobBitmaps)(
      mon,
      job,
      disk,
    ).catch((err) => s.log(`block job '${job.name}': bitmaps: ${err}`));
    writeMirror(disk, undefined);
    if (status === E.DOMAIN_BLOCK_JOB_COMPLETED) {
      const chain = diskChain(disk);
      const cfg = job.depth === undefined ? undefined : configDisk(obj, disk, job.depth);
      const after = applyPlan(job.plan, chain);
      const gone = chain.filter((l) => !after.includes(l));
      if (cfg) {
        writeChain(
          cfg,
          applyPlan(job.plan, diskChain(cfg)).map(({ file, format }) => ({ file, format })),
          false,
        );
      }
      writeChain(disk, after, true);
      // The nodes libvirt added for what left the chain go too (qemuBlockStorageSourceChainDetach).
      for (const l of gone) {
        if (l.index) {
          await mon.run("blockdev-del", { "node-name": `libvirt-${l.index}-format` })
            .catch(() => {});
          await mon.run("blockdev-del", { "node-name": `libvirt-${l.index}-storage` })
            .catch(() => {});
        }
        // qemuBlockJobDeleteImages: COMMIT_DELETE removes what was committed away.
        if (job.deleteFiles) {
          await Deno.remove(l.file).catch((err) => s.log(`cannot delete '${l.file}': ${err}`));
        }
      }
    } else {
      for (const node of job.discard ?? []) {
        await mon.run("blockdev-del", { "node-name": node }).catch(() => {});
      }
    }
  }
  emitJobEvents(s, obj, job, status);
  job.end(status);
  await s.saveStatus(obj).catch(() => {});
  await s.saveConfig(obj).catch(() => {});
}

/**
 * The domain's jobs as the status file keeps them.
 *
 * @example
 * ```ts
 * import { storedBlockJobs } from "./block_job_state.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * storedBlockJobs(obj); // [] without a job
 * ```
 */
export function storedBlockJobs(obj: QemuDomainObj): StoredBlockJob[] {
  return [...jobsOf(obj).values()].map((
    { name, type, dst, state, plan, depth, discard, deleteFiles },
  ) => ({
    name,
    type,
    dst,
    state,
    plan,
    ...(depth === undefined ? {} : { depth }),
    ...(discard ? { discard } : {}),
    ...(deleteFiles ? { deleteFiles } : {}),
  }));
}

/**
 * `qemuBlockJobRefreshJobs` after the driver re-attached a running QEMU: the jobs of its status
 * come back, and each is matched with what QEMU says of it now (concluded meanwhile: ended as
 * the event would have; ready: marked; gone: dropped with its mirror).
 *
 * @example
 * ```ts ignore
 * import { restoreBlockJobs } from "./block_job_state.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await restoreBlockJobs(state, obj, []);
 * ```
 */
export async function restoreBlockJobs(
  s: QemuDriverState,
  obj: QemuDomainObj,
  stored: StoredBlockJob[],
): Promise<void> {
  if (!stored.length) return;
  const qemuJobs = await obj.proc!.monitor.run<{ id: string; status: string }[]>("query-jobs");
  for (const st of stored) {
    const job = register(obj, st, st.state);
    const now = qemuJobs.find((j) => j.id === job.name);
    if (!now) {
      jobsOf(obj).delete(job.dst);
      const disk = obj.def.devices.other.find((d) => d.name === "disk" && dstOf(d) === job.dst);
      if (disk) writeMirror(disk, undefined);
      s.log(`block job '${job.name}' of '${obj.def.name}' is gone from QEMU`);
    } else {
      blockJobStatusChanged(s, obj, { id: now.id, status: now.status });
    }
  }
}

/**
 * The domain's QEMU is gone: its jobs end with it (a caller waiting on one learns that the
 * domain stopped, as `qemuDomainObjWait` reports).
 *
 * @example
 * ```ts
 * import { endBlockJobs } from "./block_job_state.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * endBlockJobs(obj);
 * ```
 */
export function endBlockJobs(obj: QemuDomainObj): void {
  for (const job of jobsOf(obj).values()) job.end(JOB_DOMAIN_STOPPED);
  jobsOf(obj).clear();
}
