/**
 * Waiting for a block job as virsh 9.0 does (`virshBlockJobWaitInit`, `virshBlockJobWait`):
 * BLOCK_JOB and BLOCK_JOB_2 callbacks for the disk, registered before the job starts; a query
 * of the job every half second, its progress printed under `--verbose`; the job aborted on
 * Ctrl-C or after `--timeout`; without events (a driver that has none), virsh's fallback: a
 * job that vanished has completed, one at 100 % is ready. Also the job names
 * (`virshDomainBlockJobToString`).
 * @module
 */
import type { Domain } from "../../../client/domain.ts";
import { VIR } from "../../../util/constants.ts";
import { VirError } from "../../../util/errors.ts";
import type { CommandContext } from "../context.ts";
import { printJobProgress } from "./common.ts";

/** `virshDomainBlockJob`: the job type names, by `VIR_DOMAIN_BLOCK_JOB_TYPE_*`. */
export const BLOCK_JOB_NAMES = [
  "Unknown job",
  "Block Pull",
  "Block Copy",
  "Block Commit",
  "Active Block Commit",
  "Backup",
];

/** virsh's half-second pause between queries of the job. */
const POLL_MS = 500;

/** What {@link blockJobWaitInit} is told. */
export interface BlockJobWaitOptions {
  /** The disk as the user named it (events match it as virsh's handler does). */
  dev: string;
  /** The job's name in progress lines. */
  jobName: string;
  /** `--verbose`: print the progress. */
  verbose: boolean;
  /** `--timeout` in ms, 0 for none. */
  timeoutMs: number;
  /** `--async`: abort with VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC. */
  asyncAbort: boolean;
}

/** A wait prepared before the job starts. */
export interface BlockJobWait {
  /**
   * Waits for the job's end: a `VIR_DOMAIN_BLOCK_JOB_*` status (COMPLETED, FAILED, CANCELED,
   * READY), or -1 after a `vshError` line.
   */
  wait(): Promise<number>;
  /** `virshBlockJobWaitFree`: drops the event callbacks. */
  close(): void;
}

/**
 * `virshBlockJobWaitInit`: registers the BLOCK_JOB and BLOCK_JOB_2 callbacks for `dom` now, so
 * that no event of the job about to start is missed.
 */
export function blockJobWaitInit(
  ctx: CommandContext,
  dom: Domain,
  opts: BlockJobWaitOptions,
): BlockJobWait {
  let status = -1;
  const handler = (ev: { data: Record<string, unknown> }) => {
    if (ev.data.disk === opts.dev) status = Number(ev.data.status);
  };
  // A callback that cannot be registered (a driver without events) is -1, as in virsh.
  const ids = [VIR.DOMAIN_EVENT_ID_BLOCK_JOB, VIR.DOMAIN_EVENT_ID_BLOCK_JOB_2].map((id) => {
    try {
      return ctx.conn.domainEventRegisterAny(dom, id, handler);
    } catch (e) {
      if (!(e instanceof VirError)) throw e;
      return -1;
    }
  });
  const registered = ids.filter((id) => id >= 0);
  return {
    close: () => registered.forEach((id) => ctx.conn.eventDeregisterAny(id)),
    async wait() {
      let interrupted = false;
      const release = ctx.io.onInterrupt?.(() => (interrupted = true));
      try {
        const start = Date.now();
        let last = { cur: 0, end: 0 };
        // Polls at 100 % before a two-phase job is taken as ready without its event.
        let retries = 5;
        const abortFlags = opts.asyncAbort ? VIR.DOMAIN_BLOCK_JOB_ABORT_ASYNC : 0;
        let ret: number;
        while (true) {
          const r = await ctx.attempt(() => dom.getBlockJobInfo(opts.dev, 0));
          if (!r.ok) {
            ctx.error(`failed to query job for disk ${opts.dev}`);
            return -1;
          }
          if (registered.length && status !== -1) {
            ret = status;
            break;
          }
          const info = { cur: Number(r.value.cur ?? 0), end: Number(r.value.end ?? 0) };
          if (registered.length < ids.length) {
            // The fallback: a job that vanished has completed, one at 100 % is ready.
            if (!Object.keys(r.value).length) {
              ret = VIR.DOMAIN_BLOCK_JOB_COMPLETED;
              break;
            }
            if (info.end === info.cur && (!registered.length || --retries === 0)) {
              ret = VIR.DOMAIN_BLOCK_JOB_READY;
              break;
            }
          }
          if (opts.verbose && (info.cur !== last.cur || info.end !== last.end)) {
            printJobProgress(ctx, opts.jobName, info.end - info.cur, info.end);
          }
          last = info;
          if (interrupted || (opts.timeoutMs && Date.now() - start > opts.timeoutMs)) {
            const a = await ctx.attempt(() => dom.blockJobAbort(opts.dev, abortFlags));
            if (!a.ok) {
              ctx.error(`failed to abort job for disk '${opts.dev}'`);
              return -1;
            }
            ret = VIR.DOMAIN_BLOCK_JOB_CANCELED;
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        }
        if (
          opts.verbose &&
          (ret === VIR.DOMAIN_BLOCK_JOB_COMPLETED || ret === VIR.DOMAIN_BLOCK_JOB_READY)
        ) printJobProgress(ctx, opts.jobName, 0, 1);
        return ret;
      } finally {
        release?.();
      }
    },
  };
}

/**
 * Starts a job with `start`, then — when `wait` was prepared — waits for it as virsh's
 * `blockcommit`, `blockpull` and `blockcopy` do: a canceled or failed job prints
 * `"\n<noun> aborted"` or `"\n<noun> failed"` and fails the command. Returns whether the job
 * was waited for (and is now complete or ready).
 */
export async function startAndWait(
  ctx: CommandContext,
  wait: BlockJobWait | undefined,
  noun: string,
  start: () => Promise<unknown>,
): Promise<boolean> {
  await ctx.call(start);
  if (!wait) return false;
  const status = await wait.wait();
  if (status === -1) ctx.fail();
  if (status === VIR.DOMAIN_BLOCK_JOB_CANCELED) ctx.printExtra(`\n${noun} aborted`);
  if (status === VIR.DOMAIN_BLOCK_JOB_FAILED) ctx.printExtra(`\n${noun} failed`);
  if (status === VIR.DOMAIN_BLOCK_JOB_CANCELED || status === VIR.DOMAIN_BLOCK_JOB_FAILED) {
    ctx.fail();
  }
  return true;
}

/**
 * The end of a two-phase job (active commit, copy) once ready: `--pivot` pivots, `--finish`
 * (`--keep-overlay`) ends the job keeping the copy apart and prints `finished`, otherwise the
 * job stays in its synchronised phase and `synced` is printed.
 */
export async function concludeJob(
  ctx: CommandContext,
  dom: Domain,
  path: string,
  how: { pivot: boolean; finish: boolean; asyncAbort: boolean },
  finished: string,
  synced: string,
): Promise<void> {
  const flags = how.asyncAbort ? VIR.DOMAIN_BLOCK_JOB_ABORT_ASYNC : 0;
  if (how.pivot) {
    await ctx.call(
      () => dom.blockJobAbort(path, flags | VIR.DOMAIN_BLOCK_JOB_ABORT_PIVOT),
      `failed to pivot job for disk ${path}`,
    );
    ctx.printExtra("\nSuccessfully pivoted");
  } else if (how.finish) {
    await ctx.call(() => dom.blockJobAbort(path, flags), `failed to finish job for disk ${path}`);
    ctx.printExtra(`\n${finished}`);
  } else {
    ctx.printExtra(`\n${synced}`);
  }
}
