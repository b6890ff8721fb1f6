/**
 * libvirt 9.0's backup API on QEMU 7.2 (`qemu_backup.c`). Push mode, full or incremental from
 * a checkpoint: each disk's target image made by QEMU (`blockdev-add` of the file, a
 * `blockdev-create` job, the format node; an incremental one over the disk's image), one
 * `transaction` of `blockdev-backup` jobs (sync=full, or sync=incremental by a bitmap merged
 * from the checkpoint's). Pull mode: scratch images over the disks', an NBD server, sync=none
 * jobs, each scratch image exported (with the bitmap of the changes since the checkpoint). A
 * checkpoint made with the backup has its bitmaps in the same transaction. Meanwhile the
 * domain's async job of type backup (statistics from `query-jobs`, abort by
 * `block-job-cancel`); when every disk's job has ended the server stops, the nodes and
 * bitmaps go, the images libvirt would delete are deleted and JOB_COMPLETED is emitted.
 * Backups to block devices, non-qcow2 images, encrypted or labelled targets and over TLS are
 * refused.
 *
 * @module
 */
import {
  alignBackupDisks,
  type BackupDef,
  type BackupServer,
  type BackupStore,
  formatBackupXML,
  parseBackupXML,
} from "../../../conf/backup/mod.ts";
import {
  type CheckpointDef,
  checkpointLink,
  parseCheckpointXML,
} from "../../../conf/checkpoint/mod.ts";
import type { MomentList } from "../../../conf/objects/moment_list.ts";
import { isActive } from "../../../conf/objects/domain_obj.ts";
import { VIR } from "../../../util/constants.ts";
import type { TypedParams } from "../../../util/contract/types.ts";
import type { DomainRef, DriverConnection } from "../../../util/driver.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import { prepareBackup } from "./backup_def.ts";
import { diskChain, type Layer, newSourceIndex } from "./block_chain.ts";
import {
  type AddedImage,
  addImage,
  dropImage,
  type ImageTemplate,
  type NamedNode,
  templateImages,
} from "./block_image.ts";
import {
  bitmapChainIsValid,
  bitmapMergeActions,
  bitmapsOfNodes,
  chainNodes,
  type NodeBitmap,
  type TransactionAction,
} from "./checkpoint_bitmaps.ts";
import { checkpointsOf, saveCheckpoints } from "./checkpoint_store.ts";
import { checkpointActions } from "./checkpoint.ts";
import {
  type BlockJob,
  diskBusy,
  JOB_DOMAIN_STOPPED,
  jobsOf,
  type QmpJobInfo,
  register,
} from "./block_job_state.ts";
import { checkBlockJobSupported } from "./block_job_support.ts";
import { diskNodes } from "./device_disk.ts";
import { diskByTarget } from "./device_parse.ts";
import {
  beginAsyncJob,
  emitJobCompleted,
  jobElapsed,
  recordCompletedStats,
  waitForAsyncJob,
} from "./state_job.ts";

const E = VIR;
const unsupported = (msg: string) => VirError.report("QEMU", "OPERATION_UNSUPPORTED", msg);

/** libvirt's `virDomainBackupDiskState` of a disk backed up. */
type DiskState = "running" | "cancelling" | "complete" | "failed" | "cancelled";

/** One disk's part of a running backup. */
interface BackupDisk {
  job: BlockJob;
  image: AddedImage;
  state: DiskState;
  /** The disk's node the job copies from. */
  device: string;
  /** The bitmap of an incremental backup, removed once its job ends. */
  bitmap?: string;
}

/** A running backup (libvirt's `priv->backup`). */
interface Backup {
  def: BackupDef;
  reuse: boolean;
  disks: BackupDisk[];
  /**
   * The bytes of the disks whose jobs ended: copied of all (`push_transferred` of `push_total`),
   * or of a pull, the scratch images' used of total (`pull_tmp_used` of `pull_tmp_total`).
   */
  total: number;
  transferred: number;
  /** The first error a disk's job ended with. */
  errmsg?: string;
  /** When it began (ms since the epoch): the async job's start, kept across a restart. */
  started: number;
  /** Ends the domain's async job. */
  endJob: () => void;
}

/**
 * A running backup as the status file keeps it (libvirt's `<domainbackup>` in the domain's
 * status XML): a driver restarted while it runs finds it again.
 */
export interface StoredBackup {
  def: BackupDef;
  reuse: boolean;
  disks: {
    dst: string;
    image: AddedImage;
    state: DiskState;
    device: string;
    bitmap?: string;
  }[];
  total: number;
  transferred: number;
  errmsg?: string;
  started: number;
}

const backups = new WeakMap<QemuDomainObj, Backup>();

/** The block job states a disk's job ends in, as the backup counts them. */
const ENDED: Record<number, DiskState> = {
  [E.DOMAIN_BLOCK_JOB_COMPLETED]: "complete",
  [E.DOMAIN_BLOCK_JOB_FAILED]: "failed",
  [E.DOMAIN_BLOCK_JOB_CANCELED]: "cancelled",
  [JOB_DOMAIN_STOPPED]: "cancelled",
};

/** `qemuDomainGetBackup`. */
function backupOf(obj: QemuDomainObj): Backup {
  const backup = backups.get(obj);
  if (!backup) throw VirError.report("QEMU", "NO_DOMAIN_BACKUP", "no domain backup job present");
  return backup;
}

/**
 * What this driver cannot do of a backup libvirt would run: refused before anything changes.
 */
function refuseUnsupported(def: BackupDef): void {
  if (def.server?.tls) throw unsupported("backup over TLS is not supported yet");
  for (const d of def.disks) {
    const store = d.store;
    if (!store) continue;
    // Only qcow2 images are made (block_image.ts): a raw one would need no formatting.
    if (store.format !== undefined && store.format !== "qcow2") {
      throw VirError.report(
        "QEMU",
        "CONFIG_UNSUPPORTED",
        `backup of disk '${d.name}' to a '${store.format}' image is not supported yet`,
      );
    }
    if (store.type === "block" || store.children.length) {
      throw VirError.report(
        "QEMU",
        "CONFIG_UNSUPPORTED",
        `backup of disk '${d.name}' to a block device, with a security label or encrypted is not supported yet`,
      );
    }
  }
}

/** `qemuBackupDiskPrepareOneStorage`'s check of a target to create. */
async function checkTarget(path: string, dst: string, reuse: boolean): Promise<void> {
  if (reuse) return;
  const found = await Deno.lstat(path).then(() => true, () => false);
  if (found) {
    throw VirError.report("QEMU", "INVALID_ARG", `store '${path}' for backup of '${dst}' exists`);
  }
}

/**
 * `qemuBackupBegin`: the definition checked and completed, each target or scratch image made
 * and its block job started in one transaction; the backup then runs on its own.
 */
async function begin(
  s: QemuDriverState,
  obj: QemuDomainObj,
  backupXML: string,
  checkpointXML: string | null,
  flags: number,
): Promise<void> {
  checkFlags(flags, E.DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL, "qemuBackupBegin", "QEMU");
  const parsed = parseBackupXML(backupXML);
  const chkdef = checkpointXML === null
    ? undefined
    : parseCheckpointXML(checkpointXML, { redefine: false, parseDomain: (x) => s.parse(x) });
  const reuse = (flags & E.DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL) !== 0;
  const checkpoints = await checkpointsOf(s, obj);
  await obj.job.run(async () => {
    await waitForAsyncJob(obj, s.asyncJobWaitMs);
    if (!isActive(obj)) throw unsupported("cannot perform disk backup for inactive domain");
    const def = parsed;
    // Default targets are named after the checkpoint made with the backup, or the time.
    alignBackupDisks(def, obj.def, chkdef?.name ?? String(Math.floor(Date.now() / 1000)));
    refuseUnsupported(def);
    if (backups.has(obj)) {
      throw VirError.report("QEMU", "OPERATION_INVALID", "another backup job is already running");
    }
    const made = chkdef && checkpointActions(s, obj, chkdef);
    try {
      await prepareAndStart(s, obj, def, reuse, checkpoints, made?.actions ?? []);
    } catch (err) {
      // qemuCheckpointRollbackMetadata: the checkpoint goes with the backup that failed.
      if (made) checkpoints.remove(made.chk);
      throw err;
    }
    // qemuCheckpointCreateFinalize: the new checkpoint is the current one.
    if (made) {
      checkpointLink(checkpoints, made.chk, true);
      await saveCheckpoints(s, obj);
    }
  });
}

/**
 * The rest of `qemuBackupBegin` once the backup is checked: its disks completed against QEMU's
 * nodes and bitmaps, and started with `before` (a new checkpoint's bitmaps) in its transaction.
 */
async function prepareAndStart(
  s: QemuDriverState,
  obj: QemuDomainObj,
  def: BackupDef,
  reuse: boolean,
  checkpoints: MomentList<CheckpointDef>,
  before: TransactionAction[],
): Promise<void> {
  // libvirt's qemuBlockGetNamedNodeData: one answer for the bitmaps and the image sizes.
  const named = await obj.proc!.monitor.run<(NamedNode & NodeWithBitmaps)[]>(
    "query-named-block-nodes",
    { flat: true },
  );
  const bitmaps = bitmapsOfNodes(named);
  prepareBackup(def, {
    newIndex: () => newSourceIndex(obj),
    hasCheckpoint: (name) => checkpoints.find(name) !== undefined,
    bitmapValid: (dst, name) =>
      bitmapChainIsValid(chainNodes(diskByTarget(obj.def, dst)!), name, bitmaps),
  });
  const pull = def.mode === "pull";
  const planned = def.disks.filter((d) => d.store).map((d): Planned => {
    const domDisk = diskByTarget(obj.def, d.name)!;
    checkBlockJobSupported(domDisk);
    diskBusy(obj, d.name);
    const top = diskChain(domDisk)[0];
    if (top?.index === undefined) {
      throw unsupported(`block jobs are not supported on disk '${d.name}'`);
    }
    const device = diskNodes(top.index).format;
    // A pull backup's scratch image is always over the disk's (QEMU keeps there what the
    // guest overwrites before the client read it).
    const plan: Planned = { dst: d.name, store: d.store!, device, ...(pull && { backing: top }) };
    if (d.incremental === undefined) return plan;
    // The changes since the checkpoint, gathered in a bitmap of the backup's own: on the disk
    // for a push backup to copy by, an incremental target over the disk's image; in the
    // scratch image for a pull backup to export (qemuBackupDiskPrepareOneBitmaps).
    const bitmap = d.exportbitmap ?? `backup-${d.name}`;
    return {
      ...plan,
      bitmap,
      backing: top,
      merge: bitmapMergeActions({
        chain: chainNodes(domDisk),
        target: pull ? diskNodes(d.store!.index).format : device,
        name: d.incremental,
        dst: bitmap,
      }, bitmaps),
    };
  });
  for (const p of planned) await checkTarget(p.store.path!, p.dst, reuse);
  const templates = templateImages(named, planned.map((p) => p.device));
  await start(s, obj, def, reuse, planned, templates, before);
}

/**
 * A disk to back up: its target, its target's store and the node it is copied from; for an
 * incremental backup, the bitmap copied by, the actions making it and the target's backing.
 */
interface Planned {
  dst: string;
  store: BackupStore;
  device: string;
  bitmap?: string;
  merge?: TransactionAction[];
  backing?: Layer;
}

/** The images added, the jobs registered and started in one transaction, or all taken back. */
async function start(
  s: QemuDriverState,
  obj: QemuDomainObj,
  def: BackupDef,
  reuse: boolean,
  planned: Planned[],
  templates: ImageTemplate[],
  before: TransactionAction[],
): Promise<void> {
  const mon = obj.proc!.monitor;
  const pull = def.mode === "pull";
  const disks: BackupDisk[] = [];
  const images: AddedImage[] = [];
  try {
    for (const [i, p] of planned.entries()) {
      const image: AddedImage = { nodes: [] };
      images.push(image);
      await addImage(mon, {
        layer: { file: p.store.path!, format: p.store.format!, index: p.store.index },
        reuse,
        sizeOf: p.device,
        template: templates[i],
        backingFile: p.backing,
        backingNode: p.backing ? p.device : null,
      }, image);
    }
    const actions = planned.flatMap((p, i) => {
      const name = `backup-${p.dst}-${p.device}`;
      const job = register(obj, {
        name,
        type: E.DOMAIN_BLOCK_JOB_TYPE_BACKUP,
        dst: p.dst,
        // Unused: a backup leaves the disk's chain as it is.
        plan: { keepTop: 0 },
      });
      // A pull backup's job only keeps the scratch image's point in time (sync=none).
      const by = pull ? undefined : p.bitmap;
      disks.push({ job, image: images[i], state: "running", device: p.device, bitmap: by });
      return [...p.merge ?? [], {
        type: "blockdev-backup",
        data: {
          device: p.device,
          "job-id": name,
          target: diskNodes(p.store.index).format,
          sync: pull ? "none" : by ? "incremental" : "full",
          ...(by && { bitmap: by }),
          "auto-finalize": true,
          "auto-dismiss": false,
        },
      }];
    });
    if (pull) await mon.run("nbd-server-start", { addr: nbdAddress(def.server!) });
    await mon.run("transaction", { actions: [...before, ...actions] }).catch(async (err) => {
      if (pull) await mon.run("nbd-server-stop").catch(() => {});
      throw err;
    });
  } catch (err) {
    for (const d of disks) jobsOf(obj).delete(d.job.dst);
    for (const image of images.toReversed()) await dropImage(mon, image);
    throw err;
  }
  const started = Date.now();
  const backup: Backup = {
    def,
    reuse,
    disks,
    total: 0,
    transferred: 0,
    started,
    endJob: backupJob(obj, started),
  };
  follow(s, obj, backup);
  await s.saveStatus(obj).catch(() => {});
  // qemuBackupBeginPullExportDisks: each scratch image served under its export name; a failure
  // cancels the jobs, which end the backup.
  if (pull) {
    try {
      for (const p of planned) {
        const node = diskNodes(p.store.index).format;
        await mon.run("block-export-add", {
          type: "nbd",
          id: `libvirt-nbd-${node}`,
          "node-name": node,
          writable: false,
          name: def.disks.find((d) => d.name === p.dst)!.exportname,
          ...(p.bitmap && { bitmaps: [p.bitmap] }),
        });
      }
    } catch (err) {
      await cancel(obj);
      throw err;
    }
  }
}

/** The domain's async job of a backup begun at `started`. */
function backupJob(obj: QemuDomainObj, started: number): () => void {
  return beginAsyncJob(obj, E.DOMAIN_JOB_OPERATION_BACKUP, "backup job", {
    stats: "backup",
    hooks: { progress: () => progress(obj), cancel: () => cancel(obj) },
    started,
  });
}

/** Makes `backup` the domain's, each running disk's job's end handled. */
function follow(s: QemuDriverState, obj: QemuDomainObj, backup: Backup): void {
  backups.set(obj, backup);
  for (const d of backup.disks) {
    if (d.state !== "running" && d.state !== "cancelling") continue;
    void d.job.ended.then((status) => diskEnded(s, obj, backup, d, status))
      .catch((err) => s.log(`backup of '${obj.def.name}': ${err}`));
  }
}

/**
 * The domain's running backup for its status file, or undefined.
 *
 * @example
 * ```ts
 * import { storedBackup } from "./backup.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * storedBackup(obj); // undefined without a backup
 * ```
 */
export function storedBackup(obj: QemuDomainObj): StoredBackup | undefined {
  const b = backups.get(obj);
  if (!b) return undefined;
  return {
    def: b.def,
    reuse: b.reuse,
    disks: b.disks.map((d) => ({
      dst: d.job.dst,
      image: d.image,
      state: d.state,
      device: d.device,
      ...(d.bitmap && { bitmap: d.bitmap }),
    })),
    total: b.total,
    transferred: b.transferred,
    ...(b.errmsg !== undefined && { errmsg: b.errmsg }),
    started: b.started,
  };
}

/**
 * After a driver restart, once the block jobs are back (`restoreBlockJobs`): the stored backup
 * is the domain's again, with its async job. A disk whose job QEMU no longer has is taken as
 * failed; a backup with no disk left running ends now, as its last disk's end would have ended it.
 *
 * @example
 * ```ts ignore
 * import { restoreBackup } from "./backup.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await restoreBackup(state, obj, undefined);
 * ```
 */
export async function restoreBackup(
  s: QemuDriverState,
  obj: QemuDomainObj,
  stored: StoredBackup | undefined,
): Promise<void> {
  if (!stored) return;
  const disks: BackupDisk[] = stored.disks.map((d) => {
    let job = jobsOf(obj).get(d.dst);
    let state = d.state;
    if (!job) {
      // Gone from QEMU meanwhile: ended as a failed job, outside the domain's jobs.
      job = register(obj, {
        name: `backup-${d.dst}-${d.device}`,
        type: E.DOMAIN_BLOCK_JOB_TYPE_BACKUP,
        dst: d.dst,
        plan: { keepTop: 0 },
      });
      jobsOf(obj).delete(d.dst);
      if (state === "running" || state === "cancelling") state = "failed";
    }
    return { job, image: d.image, state, device: d.device, bitmap: d.bitmap };
  });
  const backup: Backup = {
    def: stored.def,
    reuse: stored.reuse,
    disks,
    total: stored.total,
    transferred: stored.transferred,
    errmsg: stored.errmsg,
    started: stored.started,
    endJob: backupJob(obj, stored.started),
  };
  follow(s, obj, backup);
  await settle(s, obj, backup);
}

/**
 * `qemuBackupNotifyBlockjobEnd` and the concluded backup job's clean-up: the disk's nodes go;
 * a failure or cancel cancels the disks still running; the last disk to end ends the backup.
 */
async function diskEnded(
  s: QemuDriverState,
  obj: QemuDomainObj,
  backup: Backup,
  disk: BackupDisk,
  status: number,
): Promise<void> {
  disk.state = ENDED[status] ?? "failed";
  const mon = obj.proc?.monitor;
  // The NBD server goes with the first job to end (its exports with it).
  if (backup.def.mode === "pull" && status !== JOB_DOMAIN_STOPPED) {
    await mon!.run("nbd-server-stop").catch(() => {});
  }
  backup.total += disk.job.progress?.total ?? 0;
  backup.transferred += disk.job.progress?.current ?? 0;
  backup.errmsg ??= disk.job.error;
  if (mon && status !== JOB_DOMAIN_STOPPED) {
    for (const node of disk.image.nodes.toReversed()) {
      await mon.run("blockdev-del", { "node-name": node }).catch(() => {});
    }
    if (disk.bitmap) {
      await mon.run("block-dirty-bitmap-remove", { node: disk.device, name: disk.bitmap })
        .catch(() => {});
    }
  }
  await settle(s, obj, backup);
  await s.saveStatus(obj).catch(() => {});
}

/**
 * What the disks' states make of the backup: a failed or cancelled disk cancels those still
 * running; with none running or cancelling, the backup ends.
 */
async function settle(s: QemuDriverState, obj: QemuDomainObj, backup: Backup): Promise<void> {
  const states = backup.disks.map((d) => d.state);
  const running = states.includes("running");
  if (running && (states.includes("failed") || states.includes("cancelled"))) {
    await cancel(obj);
  } else if (!running && !states.includes("cancelling")) {
    // A pull backup ends when its client is done: cancelled, it has completed.
    const jobStatus = states.includes("failed")
      ? E.DOMAIN_JOB_FAILED
      : states.includes("cancelled") && backup.def.mode === "push"
      ? E.DOMAIN_JOB_CANCELLED
      : E.DOMAIN_JOB_COMPLETED;
    await terminate(s, obj, backup, jobStatus);
  }
}

/**
 * `qemuBackupJobTerminate`: the images this backup created are deleted (a push backup's only
 * if it did not complete), the completed job's statistics kept and announced, the async job
 * ended.
 */
async function terminate(
  s: QemuDriverState,
  obj: QemuDomainObj,
  backup: Backup,
  type: number,
): Promise<void> {
  const push = backup.def.mode === "push";
  if ((!push || type !== E.DOMAIN_JOB_COMPLETED) && !backup.reuse) {
    for (const d of backup.disks) {
      if (d.image.created) await Deno.remove(d.image.created).catch(() => {});
    }
  }
  recordCompletedStats(obj, {
    ...stats(obj, backup),
    success: type === E.DOMAIN_JOB_COMPLETED,
    ...(backup.errmsg !== undefined && { errmsg: backup.errmsg }),
    type,
  });
  emitJobCompleted(s, obj);
  backups.delete(obj);
  backup.endJob();
}

/** `qemuDomainBackupJobDataToParams` without the outcome: the backup's bytes so far. */
function stats(
  obj: QemuDomainObj,
  { def, total, transferred }: Pick<Backup, "def" | "total" | "transferred">,
): TypedParams {
  const some = total > 0 || transferred > 0;
  return {
    operation: E.DOMAIN_JOB_OPERATION_BACKUP,
    time_elapsed: jobElapsed(obj),
    ...(some && def.mode === "push" && {
      disk_total: total,
      disk_processed: transferred,
      disk_remaining: total - transferred,
    }),
    ...(some && def.mode === "pull" && { disk_temp_used: transferred, disk_temp_total: total }),
  };
}

/** `qemuMonitorNBDServerStart`'s address of a pull backup's server. */
function nbdAddress(server: BackupServer): Record<string, unknown> {
  return server.transport === "unix"
    ? { type: "unix", data: { path: server.socket } }
    : { type: "inet", data: { host: server.name, port: String(server.port) } };
}

/** `qemuBackupGetJobInfoStats`: the ended disks' bytes plus the running jobs' progress. */
async function progress(obj: QemuDomainObj): Promise<TypedParams> {
  const backup = backupOf(obj);
  const info = await obj.proc!.monitor.run<QmpJobInfo[]>("query-jobs");
  let total = backup.total;
  let transferred = backup.transferred;
  for (const d of backup.disks) {
    const job = d.state === "running" ? info.find((j) => j.id === d.job.name) : undefined;
    total += job?.["total-progress"] ?? 0;
    transferred += job?.["current-progress"] ?? 0;
  }
  return { ...stats(obj, { def: backup.def, total, transferred }), type: E.DOMAIN_JOB_UNBOUNDED };
}

/**
 * `qemuBackupJobCancelBlockjobs`: every running disk's job cancelled; with none left running
 * the backup ends cancelled at once.
 */
async function cancel(obj: QemuDomainObj): Promise<void> {
  const backup = backupOf(obj);
  for (const d of backup.disks) {
    if (d.state !== "running") continue;
    await obj.proc!.monitor.run("block-job-cancel", { device: d.job.name, force: true });
    d.state = "cancelling";
    d.job.state = "aborting";
  }
}

/** The bitmaps part of a `query-named-block-nodes` entry. */
interface NodeWithBitmaps {
  "dirty-bitmaps"?: NodeBitmap[];
}

type BackupCalls = Pick<DriverConnection, "domainBackupBegin" | "domainBackupGetXMLDesc">;

/**
 * The backup calls of a connection; `objOf` resolves a domain reference.
 *
 * @example
 * ```ts
 * import { backupCalls } from "./backup.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const objOf: (ref: import("../../../util/driver.ts").DomainRef) => import("../domain_private.ts").QemuDomainObj;
 * const calls = backupCalls(state, objOf);
 * ```
 */
export function backupCalls(
  s: QemuDriverState,
  objOf: (ref: DomainRef) => QemuDomainObj,
): Required<BackupCalls> {
  return {
    domainBackupBegin: (ref, backupXML, checkpointXML, flags) =>
      begin(s, objOf(ref), backupXML, checkpointXML ?? null, flags),
    domainBackupGetXMLDesc: (ref, flags) =>
      Promise.resolve().then(() => {
        checkFlags(flags, 0, "qemuBackupGetXMLDesc", "QEMU");
        return formatBackupXML(backupOf(objOf(ref)).def);
      }),
  };
}
