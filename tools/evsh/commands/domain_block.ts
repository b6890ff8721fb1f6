/**
 * Block device commands: `domblkstat`, `blockresize`, `domblkthreshold`, `blockjob`,
 * `blockpull`, `blockcommit` (waiting for their jobs as virsh does: `block_job_wait.ts`).
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { CommandContext, CommandDef } from "../context.ts";
import type { Domain } from "../../../client/domain.ts";
import { domainArg } from "../lookup.ts";
import type { Args } from "../options.ts";
import { scaledInteger, strToLong } from "../numbers.ts";
import { bits, exclusive, printJobProgress, requires } from "./common.ts";
import { BLOCK_JOB_NAMES, blockJobWaitInit, concludeJob, startAndWait } from "./block_job_wait.ts";
import { prettyCapacity } from "../format.ts";
import { typedParamText } from "./domain_guest.ts";
import type { TypedParams } from "../../../util/driver.ts";

/**
 * `domblkstat_output`: the typed parameter of each block statistic, in virsh's order, with its
 * legacy name (`virDomainBlockStats`' field, none for the newer ones) and its human label.
 */
const BLOCK_STATS = [
  ["rd_operations", "rd_req", "number of read operations:"],
  ["rd_bytes", "rd_bytes", "number of bytes read:"],
  ["wr_operations", "wr_req", "number of write operations:"],
  ["wr_bytes", "wr_bytes", "number of bytes written:"],
  ["errs", "errs", "error count:"],
  ["flush_operations", undefined, "number of flush operations:"],
  ["rd_total_times", undefined, "total duration of reads (ns):"],
  ["wr_total_times", undefined, "total duration of writes (ns):"],
  ["flush_total_times", undefined, "total duration of flushes (ns):"],
] as const;

/**
 * `vshBlockJobOptionBandwidth`: a number (negative ones wrap), else a scaled size in bytes,
 * in MiB/s unless `bytes`.
 */
export function bandwidth(ctx: CommandContext, args: Args, bytes: boolean): number {
  const text = args.string("bandwidth");
  if (text === undefined) return 0;
  const plain = strToLong(text, "ul");
  if (plain) return Number(plain.value);
  const r = scaledInteger(text, 1, (1n << 64n) - 1n);
  if (typeof r !== "bigint") {
    if (r) ctx.lastError = r;
    return ctx.fail(
      `Scaled numeric value '${text}' for <--bandwidth> option is malformed or out of range`,
    );
  }
  return Number(bytes ? r : r >> 20n);
}

/** `vshCommandOptTimeoutToMs`. */
export function timeoutMs(ctx: CommandContext, args: Args): number {
  const t = ctx.optInt(args, "timeout", "uip");
  if (t === undefined) return 0;
  if (t === 0 || t > Math.floor(2147483647 / 1000)) {
    ctx.fail(`Numeric value '${t}' for <timeout> option is malformed or out of range`);
  }
  return t * 1000;
}

/** The block device command table. */
export const DOMAIN_BLOCK_COMMANDS: CommandDef[] = [
  {
    name: "domblkstat",
    async run(ctx, args) {
      const { obj: dom, arg } = await domainArg(ctx, args);
      const device = ctx.optString(args, "device") ?? "";
      const human = args.has("human");
      // "%s %-*s %s": the device (empty under --human, which names it first), the statistic
      const line = (field: string, value: unknown) =>
        ctx.print(`${human ? "" : device} ${human ? field.padEnd(31) : field} ${value}\n`);
      const flagged = await ctx.attempt(() => dom.blockStatsFlags(device));
      if (!flagged.ok) {
        // the older call, where the driver has not the newer one (virsh's fallback)
        if (ctx.lastError?.codeName !== "VIR_ERR_NO_SUPPORT") ctx.fail();
        ctx.lastError = undefined;
        const stats = await ctx.call(
          () => dom.blockStats(device),
          `Failed to get block stats ${arg} ${device}`,
        );
        if (human) ctx.print(`Device: ${device}\n`);
        for (const [, legacy, label] of BLOCK_STATS) {
          const v = legacy === undefined ? -1 : Number(stats[legacy] ?? -1);
          if (v >= 0) line(human ? label : legacy!, v);
        }
        return;
      }
      const rest: TypedParams = { ...flagged.value };
      if (human) ctx.print(`Device: ${device}\n`);
      for (const [field, legacy, label] of BLOCK_STATS) {
        if (!(field in rest)) continue;
        line(human ? label : legacy ?? field, typedParamText(rest[field]));
        delete rest[field];
      }
      for (const [field, v] of Object.entries(rest)) line(field, typedParamText(v));
    },
  },
  {
    name: "blockresize",
    async run(ctx, args) {
      const path = ctx.optString(args, "path")!;
      let size = ctx.optBigIntScaled(args, "size", 1024);
      let flags = 0;
      if (size % 1024n === 0n) size /= 1024n;
      else flags |= VIR.DOMAIN_BLOCK_RESIZE_BYTES;
      const { obj: dom } = await domainArg(ctx, args);
      await ctx.call(
        () => dom.blockResize(path, Number(size), flags),
        `Failed to resize block device '${path}'`,
      );
      ctx.printExtra(`Block device '${path}' is resized`);
    },
  },
  {
    name: "domblkthreshold",
    async run(ctx, args) {
      const dev = ctx.optString(args, "dev")!;
      const threshold = ctx.optBigIntScaled(args, "threshold", 1);
      const { obj: dom } = await domainArg(ctx, args);
      await ctx.call(() => dom.setBlockThreshold(dev, Number(threshold)));
    },
  },
  {
    name: "blockjob",
    async run(ctx, args) {
      for (
        const [a, b] of [
          ["raw", "abort"],
          ["raw", "pivot"],
          ["raw", "async"],
          ["raw", "bandwidth"],
          ["info", "abort"],
          ["info", "pivot"],
          ["info", "async"],
          ["info", "bandwidth"],
          ["bytes", "abort"],
          ["bytes", "pivot"],
          ["bytes", "async"],
        ]
      ) exclusive(ctx, args, a, b);
      const { obj: dom } = await domainArg(ctx, args);
      const path = ctx.optString(args, "path")!;
      const bytes = args.has("bytes");
      if (args.has("bandwidth")) {
        // virshBlockJobSetSpeed.
        const bw = bandwidth(ctx, args, bytes);
        const flags = bytes ? VIR.DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES : 0;
        await ctx.call(() => dom.blockJobSetSpeed(path, bw, flags));
        return;
      }
      if (args.has("abort") || args.has("pivot") || args.has("async")) {
        const flags = (args.has("async") ? VIR.DOMAIN_BLOCK_JOB_ABORT_ASYNC : 0) |
          (args.has("pivot") ? VIR.DOMAIN_BLOCK_JOB_ABORT_PIVOT : 0);
        await ctx.call(() => dom.blockJobAbort(path, flags));
        return;
      }
      await blockJobInfo(ctx, dom, path, args.has("raw"), bytes);
    },
  },
  {
    name: "blockpull",
    async run(ctx, args) {
      requires(ctx, args, "verbose", "wait");
      requires(ctx, args, "async", "wait");
      const path = ctx.optString(args, "path")!;
      const base = ctx.optString(args, "base");
      const bytes = args.has("bytes");
      const bw = bandwidth(ctx, args, bytes);
      const timeout = timeoutMs(ctx, args);
      let flags = args.has("keep-relative") ? VIR.DOMAIN_BLOCK_REBASE_RELATIVE : 0;
      const { obj: dom } = await domainArg(ctx, args);
      const wait = args.has("wait")
        ? blockJobWaitInit(ctx, dom, {
          dev: path,
          jobName: "Block Pull",
          verbose: args.has("verbose"),
          timeoutMs: timeout,
          asyncAbort: args.has("async"),
        })
        : undefined;
      try {
        const waited = await startAndWait(ctx, wait, "Pull", () => {
          if (base !== undefined || flags) {
            if (bytes) flags |= VIR.DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES;
            return dom.blockRebase(path, base ?? null, bw, flags);
          }
          if (bytes) flags |= VIR.DOMAIN_BLOCK_PULL_BANDWIDTH_BYTES;
          return dom.blockPull(path, bw, flags);
        });
        ctx.printExtra(waited ? "\nPull complete" : "Block Pull started");
      } finally {
        wait?.close();
      }
    },
  },
  {
    name: "blockcommit",
    async run(ctx, args) {
      const pivot = args.has("pivot");
      const finish = args.has("keep-overlay");
      const active = args.has("active") || pivot || finish;
      let blocking = args.has("wait") || pivot || finish;
      exclusive(ctx, args, "pivot", "keep-overlay");
      const path = ctx.optString(args, "path")!;
      const base = ctx.optString(args, "base") ?? null;
      const top = ctx.optString(args, "top") ?? null;
      const bytes = args.has("bytes");
      const bw = bandwidth(ctx, args, bytes);
      const flags = bits(args, [
        ["bytes", VIR.DOMAIN_BLOCK_COMMIT_BANDWIDTH_BYTES],
        ["shallow", VIR.DOMAIN_BLOCK_COMMIT_SHALLOW],
        ["delete", VIR.DOMAIN_BLOCK_COMMIT_DELETE],
        ["keep-relative", VIR.DOMAIN_BLOCK_COMMIT_RELATIVE],
      ]) | (active ? VIR.DOMAIN_BLOCK_COMMIT_ACTIVE : 0);
      const timeout = timeoutMs(ctx, args);
      if (timeout) blocking = true;
      if (!blocking) {
        const needs = "requires at least one of --timeout, --wait, --pivot, or --keep-overlay";
        if (args.has("verbose")) ctx.fail(`--verbose ${needs}`);
        if (args.has("async")) ctx.fail(`--async ${needs}`);
      }
      const { obj: dom } = await domainArg(ctx, args);
      const asyncAbort = args.has("async");
      const wait = blocking
        ? blockJobWaitInit(ctx, dom, {
          dev: path,
          jobName: "Block commit",
          verbose: args.has("verbose"),
          timeoutMs: timeout,
          asyncAbort,
        })
        : undefined;
      try {
        const start = () => dom.blockCommit(path, base, top, bw, flags);
        if (!await startAndWait(ctx, wait, "Commit", start)) {
          ctx.printExtra(active ? "Active Block Commit started" : "Block Commit started");
        } else if (active) {
          await concludeJob(
            ctx,
            dom,
            path,
            { pivot, finish, asyncAbort },
            "Commit complete, overlay image kept",
            "Now in synchronized phase",
          );
        } else {
          ctx.printExtra("\nCommit complete");
        }
      } finally {
        wait?.close();
      }
    },
  },
];

/**
 * `virshBlockJobInfo`: the job's progress line (`Block Commit: [ 50 %]`, on stderr as virsh
 * writes it) and its bandwidth limit, or with `raw` its fields; bytes/s asked first unless
 * `raw`, MiB/s when the driver cannot say it in bytes.
 */
async function blockJobInfo(
  ctx: CommandContext,
  dom: Domain,
  path: string,
  raw: boolean,
  bytes: boolean,
): Promise<void> {
  let r = bytes || !raw
    ? await ctx.attempt(() => dom.getBlockJobInfo(path, VIR.DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES))
    : undefined;
  let scale = 0n;
  if (r && !r.ok) {
    const code = ctx.lastError?.code;
    const retry = (code === VIR.ERR_INVALID_ARG || code === VIR.ERR_OVERFLOW) && !bytes && !raw;
    if (!retry) return ctx.fail();
    ctx.resetError();
    r = undefined;
  }
  if (!r) {
    r = await ctx.attempt(() => dom.getBlockJobInfo(path, 0));
    if (!r.ok) return ctx.fail();
    if (!raw) scale = 20n;
  }
  const info = r.value;
  if (!Object.keys(info).length) {
    if (!raw) ctx.printExtra(`No current block job for ${path}`);
    return;
  }
  const type = Number(info.type);
  const [bw, cur, end] = [info.bandwidth, info.cur, info.end].map((v) => BigInt(Number(v ?? 0)));
  if (raw) {
    // virshDomainBlockJobTypeToString: NULL, printed by glibc as "(null)", past the list.
    const name = BLOCK_JOB_NAMES[type] ?? "(null)";
    ctx.print(` type=${name}\n bandwidth=${bw}\n cur=${cur}\n end=${end}\n`);
    return;
  }
  printJobProgress(
    ctx,
    BLOCK_JOB_NAMES[type] ?? BLOCK_JOB_NAMES[0],
    Number(end - cur),
    Number(end),
  );
  const speed = bw << scale;
  if (speed) {
    const [value, unit] = prettyCapacity(Number(speed), 3).split(" ");
    ctx.print(`    Bandwidth limit: ${speed} bytes/s (${value} ${unit}/s)`);
  }
  ctx.print("\n");
}
