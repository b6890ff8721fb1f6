/**
 * The async job of a domain (libvirt's `priv->job.asyncJob` with its `current` job data): a
 * save, managed save, dump or snapshot that moves memory through QEMU's migration (waited for
 * in `migration_wait.ts`), its progress from `query-migrate`, `migrate_cancel` to abort it; a memory-only dump, its progress from
 * `query-dump`; an incoming migration, held from Prepare to Finish; and `virDomainGetJobInfo` /
 * `virDomainGetJobStats` / `virDomainAbortJob` as libvirt's QEMU driver answers them.
 *
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import type { TypedParams } from "../../../util/contract/types.ts";
import { checkActive, isActive } from "../../../conf/objects/domain_obj.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuMonitor } from "../monitor/qemu_monitor.ts";
import type { MigrateInfo } from "./migration_wait.ts";

/**
 * Where a job's progress comes from (libvirt's `qemuDomainJobStatsType`): QEMU's migration
 * (MIGRATION, SAVEDUMP), its memory-only dump (MEMDUMP) or the job's own {@link JobHooks}
 * (BACKUP).
 */
export type JobStatsType = "migration" | "memdump" | "backup";

/** How a job that is not QEMU's migration reports its progress and is aborted. */
export interface JobHooks {
  /** The running job's statistics in libvirt's typed parameter names, `type` included. */
  progress(): Promise<TypedParams>;
  /** Starts the abort (virDomainAbortJob); the job ends on its own once aborted. */
  cancel(): Promise<void>;
}

/** An async job in progress. */
interface AsyncJob {
  /** VIR_DOMAIN_JOB_OPERATION_* */
  operation: number;
  /** libvirt's job name in its errors ("domain save job"). */
  name: string;
  started: number;
  monitor: QemuMonitor;
  stats: JobStatsType;
  /** Signalled by `virDomainAbortJob` (libvirt's `abortJob` flag, seen between QEMU's steps). */
  abort: AbortController;
  /** A storage migration's progress (libvirt's `mirrorStats`), see {@link trackMirrors}. */
  mirrors?: MirrorStats;
  hooks?: JobHooks;
  /** See {@link AsyncJobOptions.owner}. */
  owner?: string;
  /** Settled when the job ends. */
  ended: Promise<void>;
}

/** The disks a storage migration copies: its mirror jobs while they run, and their bytes. */
interface MirrorStats {
  jobs: string[];
  total: number;
  transferred: number;
}

/**
 * The async jobs `qemuDomainAbortJobFlags` refuses to abort, by operation, and why; a
 * memory-only dump is refused by its statistics type ({@link abortJob}).
 */
const NOT_ABORTABLE: ReadonlyMap<number, string> = new Map([
  [
    VIR.DOMAIN_JOB_OPERATION_MIGRATION_IN,
    "cannot abort incoming migration; use virDomainDestroy instead",
  ],
  // A restore is libvirt's VIR_ASYNC_JOB_START (qemuProcessBeginJob).
  [VIR.DOMAIN_JOB_OPERATION_RESTORE, "cannot abort VM start; use virDomainDestroy instead"],
]);

const jobs = new WeakMap<QemuDomainObj, AsyncJob>();

/**
 * The dispatch function of the call that starts each async job (libvirt's `asyncOwnerAPI`),
 * which a job that waited for it in vain names.
 */
const OWNER_API: ReadonlyMap<number, string> = new Map([
  [VIR.DOMAIN_JOB_OPERATION_SAVE, "remoteDispatchDomainSaveFlags"],
  [VIR.DOMAIN_JOB_OPERATION_DUMP, "remoteDispatchDomainCoreDumpWithFormat"],
  [VIR.DOMAIN_JOB_OPERATION_RESTORE, "remoteDispatchDomainRestoreFlags"],
  [VIR.DOMAIN_JOB_OPERATION_MIGRATION_OUT, "remoteDispatchDomainMigratePerform3Params"],
  [VIR.DOMAIN_JOB_OPERATION_MIGRATION_IN, "remoteDispatchDomainMigratePrepare3Params"],
  [VIR.DOMAIN_JOB_OPERATION_BACKUP, "remoteDispatchDomainBackupBegin"],
  [VIR.DOMAIN_JOB_OPERATION_SNAPSHOT, "remoteDispatchDomainSnapshotCreateXML"],
]);

/**
 * `virDomainObjBeginAsyncJob`'s wait: a save, dump, migration, backup or snapshot of a domain
 * whose async job (a backup that runs on after its call, an incoming migration) has not ended
 * waits for it up to `waitMs`, then fails naming the call that holds it.
 *
 * @example
 * ```ts
 * import { waitForAsyncJob } from "./state_job.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await waitForAsyncJob(obj, 30_000); // at once when no async job runs
 * ```
 */
export async function waitForAsyncJob(obj: QemuDomainObj, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (let job = jobs.get(obj); job; job = jobs.get(obj)) {
    const left = deadline - Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ended = left > 0 && await Promise.race([
      job.ended.then(() => true),
      new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), left)),
    ]);
    clearTimeout(timer);
    if (!ended) {
      const owner = job.owner ?? OWNER_API.get(job.operation);
      throw VirError.report(
        "NONE",
        "OPERATION_TIMEOUT",
        owner
          ? `cannot acquire state change lock (held by monitor=${owner})`
          : "cannot acquire state change lock",
      );
    }
  }
}

/**
 * Runs `fn` as the domain's async job `operation`; GetJobInfo sees it meanwhile.
 *
 * @example
 * ```ts
 * import { runAsyncJob } from "./state_job.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await runAsyncJob(obj, 3, "domain save job", async () => {});
 * ```
 */
export async function runAsyncJob<T>(
  obj: QemuDomainObj,
  operation: number,
  name: string,
  fn: (aborted: AbortSignal) => Promise<T>,
  stats: JobStatsType = "migration",
): Promise<T> {
  const end = beginAsyncJob(obj, operation, name, { stats });
  try {
    return await fn(jobs.get(obj)!.abort.signal);
  } finally {
    end();
  }
}

/**
 * Runs `fn` within the domain's async job already begun (a protected migration's, held since
 * Begin: `qemuMigrationJobContinue`), leaving it running afterwards.
 *
 * @example
 * ```ts
 * import { continueAsyncJob } from "./state_job.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await continueAsyncJob(obj, async () => {});
 * ```
 */
export async function continueAsyncJob<T>(
  obj: QemuDomainObj,
  fn: (aborted: AbortSignal) => Promise<T>,
): Promise<T> {
  return await fn(jobs.get(obj)!.abort.signal);
}

/** How an async job begun by {@link beginAsyncJob} differs from a migration's begun now. */
export interface AsyncJobOptions {
  /** Where its progress comes from (default: QEMU's migration). */
  stats?: JobStatsType;
  hooks?: JobHooks;
  /** When it began (ms since the epoch; default: now): a job taken back after a restart. */
  started?: number;
  /** The call that began it, when not the one its operation usually comes from. */
  owner?: string;
}

/**
 * Starts the domain's async job for a span no single call covers (an incoming migration, from
 * Prepare to Finish: `qemuMigrationJobContinue`); the answer ends it, and ends only it.
 *
 * @example
 * ```ts
 * import { beginAsyncJob } from "./state_job.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * const end = beginAsyncJob(obj, 2, "migration in job");
 * end();
 * ```
 */
export function beginAsyncJob(
  obj: QemuDomainObj,
  operation: number,
  name: string,
  opts: AsyncJobOptions = {},
): () => void {
  let end!: () => void;
  const job = {
    operation,
    name,
    started: opts.started ?? Date.now(),
    monitor: obj.proc!.monitor,
    stats: opts.stats ?? "migration",
    abort: new AbortController(),
    hooks: opts.hooks,
    owner: opts.owner,
    ended: new Promise<void>((resolve) => end = resolve),
  };
  jobs.set(obj, job);
  return () => {
    if (jobs.get(obj) === job) jobs.delete(obj);
    end();
  };
}

/**
 * Whether the domain's async job is an outgoing migration, during which libvirt lets a
 * suspend through (`qemuMigrationJobStart`'s allowed jobs: QUERY, DESTROY, SUSPEND, …).
 *
 * @example
 * ```ts
 * import { migratingOut } from "./state_job.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * migratingOut(obj); // false unless a migration runs
 * ```
 */
export function migratingOut(obj: QemuDomainObj): boolean {
  return jobs.get(obj)?.operation === VIR.DOMAIN_JOB_OPERATION_MIGRATION_OUT;
}

/**
 * Counts the mirror jobs `names` (QEMU job ids) in the statistics of the domain's running
 * migration, or, with no names, stops asking QEMU and keeps the last numbers (libvirt's disks
 * no longer `migrating` once their mirrors are cancelled).
 *
 * @example
 * ```ts
 * import { trackMirrors } from "./state_job.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * trackMirrors(obj, ["drive-virtio-disk0"]);
 * ```
 */
export function trackMirrors(obj: QemuDomainObj, names: string[]): void {
  const job = jobs.get(obj);
  if (job) job.mirrors = { total: 0, transferred: 0, ...job.mirrors, jobs: names };
}

/**
 * `qemuMigrationSrcFetchMirrorStats`: the tracked mirrors' progress from `query-block-jobs`
 * (each job's `offset` of `len`).
 *
 * @example
 * ```ts
 * import { fetchMirrorStats } from "./state_job.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await fetchMirrorStats(obj);
 * ```
 */
export async function fetchMirrorStats(obj: QemuDomainObj): Promise<void> {
  const job = jobs.get(obj);
  if (job) await fetchMirrors(job);
}

async function fetchMirrors(job: AsyncJob): Promise<void> {
  const mirrors = job.mirrors;
  if (!mirrors?.jobs.length) return;
  const info = await job.monitor.run<{ device: string; offset: number; len: number }[]>(
    "query-block-jobs",
  );
  mirrors.total = 0;
  mirrors.transferred = 0;
  for (const j of info) {
    if (!mirrors.jobs.includes(j.device)) continue;
    mirrors.total += j.len;
    mirrors.transferred += j.offset;
  }
}

/** QMP `query-dump`. */
interface DumpInfo {
  status: "none" | "active" | "completed" | "failed";
  completed: number;
  total: number;
}

/** libvirt's `qemuMonitorDumpStatus`, the number its "dump query failed" error shows. */
const DUMP_STATUS = ["none", "active", "completed", "failed"];

/**
 * The progress of a memory-only dump (`qemuDomainGetJobInfoDumpStats`): only an active or
 * completed dump has any, as libvirt's `qemuDomainDumpJobDataToParams` names them.
 */
async function dumpProgress(job: AsyncJob): Promise<TypedParams> {
  const info = await job.monitor.run<DumpInfo>("query-dump");
  if (info.status !== "active" && info.status !== "completed") {
    throw VirError.report(
      "QEMU",
      "OPERATION_FAILED",
      `dump query failed, status=${DUMP_STATUS.indexOf(info.status)}`,
    );
  }
  return {
    type: info.status === "active" ? VIR.DOMAIN_JOB_UNBOUNDED : VIR.DOMAIN_JOB_COMPLETED,
    operation: job.operation,
    time_elapsed: Date.now() - job.started,
    memory_total: info.total,
    memory_processed: info.completed,
    memory_remaining: info.total - info.completed,
  };
}

/**
 * The progress of a running job in libvirt's typed parameter names; an incoming migration has
 * none to give (`qemuDomainGetJobStatsInternal`).
 */
function progress(job: AsyncJob): Promise<TypedParams> {
  if (job.operation === VIR.DOMAIN_JOB_OPERATION_MIGRATION_IN) {
    return Promise.reject(VirError.report(
      "QEMU",
      "OPERATION_UNSUPPORTED",
      "migration statistics are available only on the source host",
    ));
  }
  if (job.hooks) return job.hooks.progress();
  return job.stats === "memdump" ? dumpProgress(job) : migrationProgress(job);
}

/** The progress of a running job from `query-migrate`, in libvirt's typed parameter names. */
async function migrationProgress(job: AsyncJob): Promise<TypedParams> {
  await fetchMirrors(job);
  const info = await job.monitor.run<MigrateInfo>("query-migrate").catch(() => ({} as MigrateInfo));
  return { type: VIR.DOMAIN_JOB_UNBOUNDED, ...migrationParams(job, info) };
}

/**
 * `qemuMonitorJSONGetMigrationStatsReply` then `qemuDomainMigrationJobDataToParams`: QEMU's
 * migration statistics as libvirt names them, in its order, each optional one only where QEMU
 * gave it; an outgoing migration (libvirt's MIGRATION statistics, not SAVEDUMP's) adds the
 * disks its storage copy mirrors (QEMU's own disk migration, which libvirt no longer uses,
 * never runs), to the data too.
 */
function migrationParams(job: AsyncJob, info: MigrateInfo): TypedParams {
  const ram = info.ram ?? {};
  const total = ram.total ?? 0;
  const processed = ram.transferred ?? 0;
  const remaining = ram.remaining ?? 0;
  const disks = job.mirrors ?? { total: 0, transferred: 0 };
  const downtime = info.status === "completed" ? info.downtime : info["expected-downtime"];
  const bps = Math.trunc((ram.mbps ?? 0) * 125_000);
  const out: TypedParams = {
    operation: job.operation,
    time_elapsed: Date.now() - job.started,
    ...(downtime !== undefined && { downtime }),
    ...(info["setup-time"] !== undefined && { setup_time: info["setup-time"] }),
    data_total: total + disks.total,
    data_processed: processed + disks.transferred,
    data_remaining: remaining + disks.total - disks.transferred,
    memory_total: total,
    memory_processed: processed,
    memory_remaining: remaining,
    ...(bps ? { memory_bps: bps } : {}),
    ...(ram.duplicate !== undefined && {
      memory_constant: ram.duplicate,
      memory_normal: ram.normal ?? 0,
      memory_normal_bytes: ram["normal-bytes"] ?? 0,
    }),
    memory_dirty_rate: ram["dirty-pages-rate"] ?? 0,
    memory_iteration: ram["dirty-sync-count"] ?? 0,
    memory_postcopy_requests: ram["postcopy-requests"] ?? 0,
    ...(ram["page-size"] ? { memory_page_size: ram["page-size"] } : {}),
  };
  if (job.operation !== VIR.DOMAIN_JOB_OPERATION_MIGRATION_OUT) return out;
  const throttle = info["cpu-throttle-percentage"];
  return {
    ...out,
    disk_total: disks.total,
    disk_processed: disks.transferred,
    disk_remaining: disks.total - disks.transferred,
    ...(throttle ? { auto_converge_throttle: throttle } : {}),
  };
}

/**
 * The statistics of each domain's last completed migration, save or dump (libvirt's
 * `vm->job->completed`), kept after the domain stops, until read without KEEP_COMPLETED.
 */
const completedJobs = new WeakMap<QemuDomainObj, TypedParams>();

/**
 * Records the statistics of the domain's migration job, which QEMU just completed
 * (`qemuMigrationSrcWaitForCompletion`), from the `query-migrate` that saw it complete; call it
 * within the job.
 *
 * @example
 * ```ts
 * import { recordCompletedJob } from "./state_job.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * recordCompletedJob(obj, { status: "completed", ram: { total: 4096, transferred: 4096 } });
 * ```
 */
export function recordCompletedJob(obj: QemuDomainObj, info: MigrateInfo): void {
  const job = jobs.get(obj);
  if (job) completedJobs.set(obj, migrationParams(job, info));
}

/**
 * Records the statistics of a job that ended on its own terms (a backup: `type` is its
 * COMPLETED, FAILED or CANCELLED); call it within the job.
 *
 * @example
 * ```ts
 * import { recordCompletedStats } from "./state_job.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * recordCompletedStats(obj, { type: 3, operation: 9, time_elapsed: 12, success: true });
 * ```
 */
export function recordCompletedStats(obj: QemuDomainObj, params: TypedParams): void {
  completedJobs.set(obj, params);
}

/**
 * The milliseconds the domain's async job has run (libvirt's `timeElapsed`), 0 without one.
 *
 * @example
 * ```ts
 * import { jobElapsed } from "./state_job.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * jobElapsed(obj);
 * ```
 */
export function jobElapsed(obj: QemuDomainObj): number {
  const job = jobs.get(obj);
  return job ? Date.now() - job.started : 0;
}

/**
 * `qemuDomainEventEmitJobCompleted`: JOB_COMPLETED with the completed job's statistics, if
 * any were recorded.
 *
 * @example
 * ```ts
 * import { emitJobCompleted } from "./state_job.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * emitJobCompleted(state, obj);
 * ```
 */
export function emitJobCompleted(
  host: { emitOther(obj: QemuDomainObj, eventId: number, data: Record<string, unknown>): void },
  obj: QemuDomainObj,
): void {
  const done = completedJobs.get(obj);
  if (!done) return;
  // The event carries the statistics without the job type that GetJobStats adds.
  const { type: _type, ...params } = done;
  host.emitOther(obj, VIR.DOMAIN_EVENT_ID_JOB_COMPLETED, { params });
}

/**
 * `virDomainGetJobStats`: the running job's statistics, or with COMPLETED the last completed
 * one's while no job runs (forgotten once read, unless KEEP_COMPLETED).
 *
 * @example
 * ```ts
 * import { jobStats } from "./state_job.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * (await jobStats(obj, 0)).type; // 0 without a job
 * ```
 */
export async function jobStats(obj: QemuDomainObj, flags: number): Promise<TypedParams> {
  checkFlags(
    flags,
    VIR.DOMAIN_JOB_STATS_COMPLETED | VIR.DOMAIN_JOB_STATS_KEEP_COMPLETED,
    "qemuDomainGetJobStats",
    "QEMU",
  );
  const job = jobs.get(obj);
  if (flags & VIR.DOMAIN_JOB_STATS_COMPLETED) {
    const done = job ? undefined : completedJobs.get(obj);
    if (!done) return { type: VIR.DOMAIN_JOB_NONE };
    if (!(flags & VIR.DOMAIN_JOB_STATS_KEEP_COMPLETED)) completedJobs.delete(obj);
    return { type: VIR.DOMAIN_JOB_COMPLETED, ...done };
  }
  if (!job || !isActive(obj)) return { type: VIR.DOMAIN_JOB_NONE };
  return await progress(job);
}

/**
 * `virDomainGetJobInfo`: the struct's fields of a running job, type NONE otherwise.
 *
 * @example
 * ```ts
 * import { jobInfo } from "./state_job.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * (await jobInfo(obj)).type;
 * ```
 */
export async function jobInfo(obj: QemuDomainObj): Promise<TypedParams> {
  const job = jobs.get(obj);
  // No job: every field of libvirt's struct stays zero, the type NONE among them.
  const p: TypedParams = job && isActive(obj) ? await progress(job) : { type: VIR.DOMAIN_JOB_NONE };
  const n = (v: unknown) => typeof v === "number" ? v : 0;
  // qemuDomainJobDataToInfo: the data is the memory plus the files (a storage copy's disks).
  return {
    type: n(p.type),
    timeElapsed: n(p.time_elapsed),
    timeRemaining: 0,
    dataTotal: n(p.memory_total) + n(p.disk_total),
    dataProcessed: n(p.memory_processed) + n(p.disk_processed),
    dataRemaining: n(p.memory_remaining) + n(p.disk_remaining),
    memTotal: n(p.memory_total),
    memProcessed: n(p.memory_processed),
    memRemaining: n(p.memory_remaining),
    fileTotal: n(p.disk_total),
    fileProcessed: n(p.disk_processed),
    fileRemaining: n(p.disk_remaining),
  };
}

/**
 * `virDomainAbortJob`: cancels the migration of a save, dump or snapshot (`migrate_cancel`);
 * refuses, as libvirt, an incoming migration, a restore and a memory-only dump.
 *
 * @example
 * ```ts
 * import { abortJob } from "./state_job.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await abortJob(obj);
 * ```
 */
export async function abortJob(obj: QemuDomainObj, flags = 0): Promise<void> {
  if (!isActive(obj)) {
    throw VirError.report("QEMU", "OPERATION_INVALID", "domain is not running");
  }
  const job = jobs.get(obj);
  const postcopy = job?.operation === VIR.DOMAIN_JOB_OPERATION_MIGRATION_OUT && inPostcopy(obj);
  if (flags & VIR.DOMAIN_ABORT_JOB_POSTCOPY && !postcopy) {
    throw VirError.report(
      "QEMU",
      "OPERATION_INVALID",
      "current job is not outgoing migration in post-copy mode",
    );
  }
  if (!job) throw VirError.report("QEMU", "OPERATION_INVALID", "no job is active on the domain");
  if (postcopy) {
    // qemuDomainAbortJobPostcopy: the guest runs on the destination; only a pause is left.
    if (!(flags & VIR.DOMAIN_ABORT_JOB_POSTCOPY)) {
      throw VirError.report(
        "QEMU",
        "OPERATION_INVALID",
        "cannot abort migration in post-copy mode",
      );
    }
    job.abort.abort();
    await job.monitor.run("migrate-pause");
    return;
  }
  const refusal = job.stats === "memdump"
    ? "cannot abort memory-only dump"
    : NOT_ABORTABLE.get(job.operation);
  if (refusal) throw VirError.report("QEMU", "OPERATION_INVALID", refusal);
  if (job.hooks) return await job.hooks.cancel();
  // A migration still copying its storage has no QEMU migration yet: it sees the signal.
  job.abort.abort();
  await job.monitor.run("migrate_cancel");
}

/** `virDomainObjIsPostcopy`: the domain's migration has switched to post-copy. */
function inPostcopy(obj: QemuDomainObj): boolean {
  return (obj.state === VIR.DOMAIN_PAUSED &&
    (obj.reason === VIR.DOMAIN_PAUSED_POSTCOPY ||
      obj.reason === VIR.DOMAIN_PAUSED_POSTCOPY_FAILED)) ||
    (obj.state === VIR.DOMAIN_RUNNING && obj.reason === VIR.DOMAIN_RUNNING_POSTCOPY);
}

/**
 * `qemuDomainAbortJobFlags`: {@link abortJob}, with `VIR_DOMAIN_ABORT_JOB_POSTCOPY` the pause
 * (QMP `migrate-pause`) of an outgoing migration switched to post-copy, which a plain abort
 * refuses.
 *
 * @example
 * ```ts
 * import { abortJobFlags } from "./state_job.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await abortJobFlags(obj, 0).catch((e) => console.log(e.message)); // … no job is active …
 * ```
 */
export function abortJobFlags(obj: QemuDomainObj, flags: number): Promise<void> {
  checkFlags(flags, VIR.DOMAIN_ABORT_JOB_POSTCOPY, "qemuDomainAbortJobFlags", "QEMU");
  return abortJob(obj, flags);
}

/**
 * `qemuDomainGetControlInfo` (`virsh domcontrol`): JOB while an async job (save, dump,
 * snapshot) runs, OCCUPIED while another call holds the domain's job, OK otherwise; the time
 * in the state in ms.
 *
 * @example
 * ```ts
 * import { controlInfo } from "./state_job.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * controlInfo(obj, 0); // { state: 0, details: 0, stateTime: 0 }
 * ```
 */
export function controlInfo(
  obj: QemuDomainObj,
  flags: number,
): { state: number; details: number; stateTime: number } {
  checkFlags(flags, 0, "qemuDomainGetControlInfo", "QEMU");
  checkActive(obj);
  const job = jobs.get(obj);
  if (job) {
    return { state: VIR.DOMAIN_CONTROL_JOB, details: 0, stateTime: Date.now() - job.started };
  }
  if (!obj.job.idle) {
    const stateTime = Date.now() - obj.job.runningSince;
    return { state: VIR.DOMAIN_CONTROL_OCCUPIED, details: 0, stateTime };
  }
  return { state: VIR.DOMAIN_CONTROL_OK, details: 0, stateTime: 0 };
}
