/**
 * Block jobs of the QEMU driver (libvirt 9.0's `qemu_driver.c` entry points and
 * `qemu_blockjob.c`): `virDomainBlockCommit` (`block-commit`, active with a `<mirror>` and a
 * pivot), `virDomainBlockPull` / `virDomainBlockRebase` without copy (`block-stream`),
 * `virDomainGetBlockJobInfo` (`query-block-jobs`) and `virDomainBlockJobAbort`
 * (`block-job-cancel`, or the write bitmap and `job-complete` to pivot), `virDomainBlockJobSetSpeed`
 * (`block-job-set-speed`). How jobs end is `block_job_state.ts`; block copy `block_copy.ts`.
 *
 * @module
 */
import { checkActive } from "../../../conf/objects/domain_obj.ts";
import { VIR } from "../../../util/constants.ts";
import type { TypedParams } from "../../../util/contract/types.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import { child, type XmlElement } from "../../../util/xml/mod.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import {
  chainLookup,
  dstOf,
  formatNodes,
  type Layer,
  liveChain,
  writeMirror,
} from "./block_chain.ts";
import {
  type BlockJob,
  diskBusy,
  JOB_DOMAIN_STOPPED,
  jobsOf,
  register,
} from "./block_job_state.ts";
import { pivotBitmaps } from "./block_job_bitmaps.ts";
import { checkBlockJobSupported } from "./block_job_support.ts";

const E = VIR;

/** @internal */
export const invalidArg = (msg: string) => VirError.report("QEMU", "INVALID_ARG", msg);

/** `qemuDomainDiskByName`: a disk by target or source path. */
export function diskByName(obj: QemuDomainObj, path: string): XmlElement {
  const disk = obj.def.devices.other.find((d) =>
    d.name === "disk" &&
    (child(d, "target")?.attributes.dev === path || child(d, "source")?.attributes.file === path)
  );
  if (!disk) throw invalidArg(`disk '${path}' not found in domain`);
  return disk;
}

/** Bandwidth in bytes/s: MiB/s unless the caller's flag says bytes. */
export function speedOf(bandwidth: number, bytes: boolean): number {
  if (bytes) return bandwidth;
  const max = Number(2n ** 63n - 1n >> 20n);
  if (bandwidth > max) {
    throw VirError.report("QEMU", "OVERFLOW", `bandwidth must be less than ${max}`);
  }
  return bandwidth * 2 ** 20;
}

/** A QEMU job id from a node name (auto-named nodes start with '#', which ids may not). */
export const jobName = (kind: string, dst: string, node: string) =>
  /^[A-Za-z][\w.-]*$/.test(node) ? `${kind}-${dst}-${node}` : `${kind}-${dst}`;

/**
 * `virDomainBlockCommit`: merges `top` (default: the active layer) down into `base` (default:
 * the bottom of the chain).
 *
 * @example
 * ```ts
 * import { blockCommit } from "./block_job.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await blockCommit(state, obj, "vda", null, null, 0, 4); // active commit
 * ```
 */
export async function blockCommit(
  s: QemuDriverState,
  obj: QemuDomainObj,
  path: string,
  base: string | null,
  top: string | null,
  bandwidth: number,
  flags: number,
): Promise<void> {
  checkFlags(
    flags,
    E.DOMAIN_BLOCK_COMMIT_SHALLOW | E.DOMAIN_BLOCK_COMMIT_ACTIVE | E.DOMAIN_BLOCK_COMMIT_RELATIVE |
      E.DOMAIN_BLOCK_COMMIT_DELETE | E.DOMAIN_BLOCK_COMMIT_BANDWIDTH_BYTES,
    "qemuDomainBlockCommit",
    "QEMU",
  );
  await obj.job.run(async () => {
    const speed = speedOf(bandwidth, (flags & E.DOMAIN_BLOCK_COMMIT_BANDWIDTH_BYTES) !== 0);
    const disk = diskByName(obj, path);
    const dst = dstOf(disk);
    const chain = await liveChain(obj, disk);
    const topI = !top || top === dst ? 0 : chainLookup(chain, dst, undefined, top);
    const baseI = !base && flags & E.DOMAIN_BLOCK_COMMIT_SHALLOW
      ? topI + 1
      : chainLookup(chain, dst, topI, base ?? undefined);
    checkActive(obj);
    checkBlockJobSupported(disk);
    if (!chain.length) {
      throw VirError.report(
        "QEMU",
        "CONFIG_UNSUPPORTED",
        `disk ${dst} has no source file to be committed`,
      );
    }
    diskBusy(obj, dst);
    const active = topI === 0;
    if (active && !(flags & E.DOMAIN_BLOCK_COMMIT_ACTIVE)) {
      throw invalidArg(`commit of '${dst}' active layer requires active flag`);
    }
    if (!active && flags & E.DOMAIN_BLOCK_COMMIT_ACTIVE) {
      throw invalidArg(`active commit requested but '${chain[topI].file}' is not active`);
    }
    if (baseI >= chain.length) {
      throw invalidArg(
        `top '${chain[topI].file}' in chain for '${chain[0].file}' has no backing file`,
      );
    }
    if (flags & E.DOMAIN_BLOCK_COMMIT_SHALLOW && baseI !== topI + 1) {
      throw invalidArg(
        `base '${chain[baseI].file}' is not immediately below '${chain[topI].file}' in chain for '${
          chain[0].file
        }'`,
      );
    }
    refuseUnhonoured(flags, E.DOMAIN_BLOCK_COMMIT_RELATIVE);
    await startCommit(obj, disk, chain, topI, baseI, {
      speed,
      deleteFiles: (flags & E.DOMAIN_BLOCK_COMMIT_DELETE) !== 0,
    });
    await s.saveStatus(obj);
  });
}

/**
 * `qemuBlockCommit` once its checks passed: `block-commit` of the layers from `topI` down to
 * `baseI`, an active one with its `<mirror>`; the job is registered first, so that its events
 * find it.
 *
 * @example
 * ```ts
 * import { startCommit } from "./block_job.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * declare const disk: import("../../../util/xml/mod.ts").XmlElement;
 * declare const chain: import("./block_chain.ts").Layer[];
 * const job = await startCommit(obj, disk, chain, 0, 1, {});
 * ```
 */
export async function startCommit(
  obj: QemuDomainObj,
  disk: XmlElement,
  chain: Layer[],
  topI: number,
  baseI: number,
  options: { speed?: number; deleteFiles?: boolean },
): Promise<BlockJob> {
  const dst = dstOf(disk);
  const active = topI === 0;
  const mon = obj.proc!.monitor;
  const [device, topNode, baseNode] = await formatNodes(mon, [
    chain[0],
    chain[topI],
    chain[baseI],
  ]);
  const job = register(obj, {
    name: jobName("commit", dst, topNode),
    type: active ? E.DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT : E.DOMAIN_BLOCK_JOB_TYPE_COMMIT,
    dst,
    plan: { keepTop: topI, fromBase: baseI },
    depth: active ? chain.length : baseI + 1,
    ...(options.deleteFiles ? { deleteFiles: true } : {}),
  });
  try {
    await mon.run("block-commit", {
      device,
      "job-id": job.name,
      ...(options.speed ? { speed: options.speed } : {}),
      "top-node": topNode,
      "base-node": baseNode,
      ...(active ? {} : { "backing-file": chain[baseI].file }),
      "auto-finalize": true,
      "auto-dismiss": false,
    });
  } catch (err) {
    jobsOf(obj).delete(dst);
    throw err;
  }
  // QEMU may have reported the job ready before it answered the command.
  const ready = job.state === "ready";
  if (active) writeMirror(disk, { chain: [chain[baseI]], job: "active-commit", ready });
  return job;
}

/** Flags this driver does not carry out are refused, never dropped. */
function refuseUnhonoured(flags: number, unhonoured: number): void {
  if (flags & unhonoured) {
    throw VirError.report(
      "QEMU",
      "ARGUMENT_UNSUPPORTED",
      `flags 0x${(flags & unhonoured).toString(16)} are not supported by this QEMU driver`,
    );
  }
}

/**
 * `virDomainBlockRebase` without COPY (see `block_copy.ts`) and `virDomainBlockPull`: streams
 * the layers above `base` (all of them without one) into the active layer.
 *
 * @example
 * ```ts
 * import { blockPull } from "./block_job.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await blockPull(state, obj, "vda", null, 0, 0);
 * ```
 */
export async function blockPull(
  s: QemuDriverState,
  obj: QemuDomainObj,
  path: string,
  base: string | null,
  bandwidth: number,
  flags: number,
): Promise<void> {
  const copyFlags = E.DOMAIN_BLOCK_REBASE_COPY | E.DOMAIN_BLOCK_REBASE_COPY_RAW |
    E.DOMAIN_BLOCK_REBASE_REUSE_EXT | E.DOMAIN_BLOCK_REBASE_COPY_DEV;
  checkFlags(
    flags,
    E.DOMAIN_BLOCK_REBASE_SHALLOW | E.DOMAIN_BLOCK_REBASE_RELATIVE | copyFlags |
      E.DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES,
    "qemuDomainBlockRebase",
    "QEMU",
  );
  await obj.job.run(async () => {
    checkActive(obj);
    const speed = speedOf(bandwidth, (flags & E.DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES) !== 0);
    const disk = diskByName(obj, path);
    const dst = dstOf(disk);
    diskBusy(obj, dst);
    checkBlockJobSupported(disk);
    const chain = await liveChain(obj, disk);
    const baseI = base ? chainLookup(chain, dst, 0, base) : undefined;
    refuseUnhonoured(flags, E.DOMAIN_BLOCK_REBASE_RELATIVE);
    const mon = obj.proc!.monitor;
    const nodes = await formatNodes(mon, baseI ? [chain[0], chain[baseI]] : [chain[0]]);
    const job = register(obj, {
      name: jobName("pull", dst, nodes[0]),
      type: E.DOMAIN_BLOCK_JOB_TYPE_PULL,
      dst,
      plan: { keepTop: 1, fromBase: baseI },
      depth: chain.length,
    });
    try {
      await mon.run("block-stream", {
        device: nodes[0],
        "job-id": job.name,
        ...(speed ? { speed } : {}),
        ...(baseI ? { "base-node": nodes[1], "backing-file": chain[baseI].file } : {}),
        "auto-finalize": true,
        "auto-dismiss": false,
      });
    } catch (err) {
      jobsOf(obj).delete(dst);
      throw err;
    }
    await s.saveStatus(obj);
  });
}

/** QMP `query-block-jobs` entries (the fields used). */
interface QmpBlockJob {
  device: string;
  offset: number;
  len: number;
  speed: number;
  ready?: boolean;
}

/**
 * `virDomainGetBlockJobInfo`: type, bandwidth, cur and end of the disk's job; an empty
 * record without one.
 *
 * @example
 * ```ts
 * import { blockJobInfo } from "./block_job.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await blockJobInfo(obj, "vda", 0); // {} without a job
 * ```
 */
export async function blockJobInfo(
  obj: QemuDomainObj,
  path: string,
  flags: number,
): Promise<TypedParams> {
  checkFlags(flags, E.DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES, "qemuDomainGetBlockJobInfo", "QEMU");
  checkActive(obj);
  const disk = diskByName(obj, path);
  const job = jobsOf(obj).get(dstOf(disk));
  if (!job) return {};
  const raw = (await obj.proc!.monitor.run<QmpBlockJob[]>("query-block-jobs"))
    .find((j) => j.device === job.name);
  if (!raw) return {};
  let { offset: cur, len: end } = raw;
  // qemuBlockJobInfoTranslate: a ready job that copied nothing still reads as complete.
  if (job.state === "ready" && cur === 0 && end === 0) cur = end = 1;
  const bytes = (flags & E.DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES) !== 0;
  return {
    type: job.type,
    bandwidth: bytes ? raw.speed : Math.floor(raw.speed / 2 ** 20),
    cur,
    end,
  };
}

/**
 * `virDomainBlockJobAbort`: cancels the disk's job, or with PIVOT switches to the mirror of a
 * ready one; without ASYNC it waits for the job's end.
 *
 * @example
 * ```ts
 * import { blockJobAbort } from "./block_job.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await blockJobAbort(state, obj, "vda", 2); // pivot
 * ```
 */
export async function blockJobAbort(
  s: QemuDriverState,
  obj: QemuDomainObj,
  path: string,
  flags: number,
): Promise<void> {
  checkFlags(
    flags,
    E.DOMAIN_BLOCK_JOB_ABORT_ASYNC | E.DOMAIN_BLOCK_JOB_ABORT_PIVOT,
    "qemuDomainBlockJobAbort",
    "QEMU",
  );
  const job = await obj.job.run(async () => {
    checkActive(obj);
    const disk = diskByName(obj, path);
    const job = jobsOf(obj).get(dstOf(disk));
    if (!job) throw invalidArg(`disk ${dstOf(disk)} does not have an active block job`);
    if (job.state === "aborting" || job.state === "pivoting") {
      throw VirError.report(
        "QEMU",
        "OPERATION_INVALID",
        `block job on disk '${job.dst}' is still being ended`,
      );
    }
    const mon = obj.proc!.monitor;
    if (flags & E.DOMAIN_BLOCK_JOB_ABORT_PIVOT) {
      if (job.state !== "ready") {
        throw VirError.report(
          "QEMU",
          "BLOCK_COPY_ACTIVE",
          `block job '${job.name}' not ready for pivot yet`,
        );
      }
      if (
        job.type !== E.DOMAIN_BLOCK_JOB_TYPE_ACTIVE_COMMIT &&
        job.type !== E.DOMAIN_BLOCK_JOB_TYPE_COPY
      ) {
        throw VirError.report(
          "QEMU",
          "OPERATION_INVALID",
          `job type '${
            job.type === E.DOMAIN_BLOCK_JOB_TYPE_PULL ? "pull" : "commit"
          }' does not support pivot`,
        );
      }
      await pivotBitmaps(mon, job, disk);
      await mon.run("job-complete", { id: job.name });
      job.state = "pivoting";
    } else {
      await mon.run("block-job-cancel", { device: job.name, force: false });
      job.state = "aborting";
    }
    await s.saveStatus(obj);
    return job;
  });
  if (flags & E.DOMAIN_BLOCK_JOB_ABORT_ASYNC) return;
  const status = await job.ended;
  if (status === JOB_DOMAIN_STOPPED) {
    throw VirError.report("QEMU", "OPERATION_FAILED", "domain is not running");
  }
  if (flags & E.DOMAIN_BLOCK_JOB_ABORT_PIVOT && status === E.DOMAIN_BLOCK_JOB_FAILED) {
    throw VirError.report(
      "QEMU",
      "OPERATION_FAILED",
      job.error
        ? `block job '${job.name}' failed while pivoting: ${job.error}`
        : `block job '${job.name}' failed while pivoting`,
    );
  }
}

/**
 * `virDomainBlockJobSetSpeed`: the bandwidth of the disk's job (`block-job-set-speed`).
 *
 * @example
 * ```ts
 * import { blockJobSetSpeed } from "./block_job.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await blockJobSetSpeed(obj, "vda", 2, 0); // 2 MiB/s
 * ```
 */
export async function blockJobSetSpeed(
  obj: QemuDomainObj,
  path: string,
  bandwidth: number,
  flags: number,
): Promise<void> {
  checkFlags(flags, E.DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES, "qemuDomainBlockJobSetSpeed", "QEMU");
  const speed = speedOf(bandwidth, (flags & E.DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES) !== 0);
  await obj.job.run(async () => {
    checkActive(obj);
    const disk = diskByName(obj, path);
    const job = jobsOf(obj).get(dstOf(disk));
    if (!job) throw invalidArg(`disk ${dstOf(disk)} does not have an active block job`);
    await obj.proc!.monitor.run("block-job-set-speed", { device: job.name, speed });
  });
}
