/**
 * `blockcopy` (virsh's `cmdBlockcopy`): a copy job started with `virDomainBlockCopy` (the
 * destination as disk XML, built from `--dest`/`--format` or read from `--xml`) or, for
 * the options the older API has, `virDomainBlockRebase` with its copy flags; `--wait`,
 * `--pivot`, `--finish` wait for the job as virsh does.
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { TypedParams } from "../../../util/contract/types.ts";
import { escapeXml } from "../../../util/xml/stringify.ts";
import type { CommandDef } from "../context.ts";
import { domainArg } from "../lookup.ts";
import { bits } from "./common.ts";
import { bandwidth, timeoutMs } from "./domain_block.ts";
import { blockJobWaitInit, concludeJob, startAndWait } from "./block_job_wait.ts";

/** `MIN(ULONG_MAX, ULLONG_MAX >> 20)`: the MiB/s bandwidth that still fits in bytes/s. */
const BANDWIDTH_MIB_LIMIT = (1n << 44n) - 1n;

/** The `blockcopy` command. */
export const BLOCKCOPY_COMMAND: CommandDef = {
  name: "blockcopy",
  async run(ctx, args) {
    const verbose = args.has("verbose");
    const pivot = args.has("pivot");
    const finish = args.has("finish");
    const blockdev = args.has("blockdev");
    let blocking = args.has("wait") || finish || pivot;
    const async = args.has("async");
    const bytes = args.has("bytes");
    const path = ctx.optString(args, "path")!;
    const dest = ctx.optString(args, "dest");
    const xml = ctx.optString(args, "xml");
    const format = ctx.optString(args, "format");
    let bw = BigInt(bandwidth(ctx, args, bytes));
    const granularity = ctx.optInt(args, "granularity", "uip") ?? 0;
    const bufSize = ctx.optBigInt(args, "buf-size", "ullp") ?? 0n;
    // Some VIR_DOMAIN_BLOCK_REBASE_* and VIR_DOMAIN_BLOCK_COPY_* flags share their values.
    let flags = bits(args, [
      ["shallow", VIR.DOMAIN_BLOCK_REBASE_SHALLOW],
      ["reuse-external", VIR.DOMAIN_BLOCK_REBASE_REUSE_EXT],
      ["transient-job", VIR.DOMAIN_BLOCK_COPY_TRANSIENT_JOB],
      ["synchronous-writes", VIR.DOMAIN_BLOCK_COPY_SYNCHRONOUS_WRITES],
    ]);
    const timeout = timeoutMs(ctx, args);
    if (timeout) blocking = true;
    // VSH_EXCLUSIVE_OPTIONS_VAR: on the values read, so an empty --xml is no conflict.
    const conflicts: [string, boolean, string, boolean][] = [
      ["dest", dest !== undefined, "xml", xml !== undefined],
      ["format", format !== undefined, "xml", xml !== undefined],
      ["blockdev", blockdev, "xml", xml !== undefined],
      ["pivot", pivot, "finish", finish],
    ];
    for (const [a, hasA, b, hasB] of conflicts) {
      if (hasA && hasB) ctx.fail(`Options --${a} and --${b} are mutually exclusive`);
    }
    if (dest === undefined && xml === undefined) ctx.fail("need either --dest or --xml");
    if (!blocking) {
      const needs = "requires at least one of --timeout, --wait, --pivot, or --finish";
      if (verbose) ctx.fail(`--verbose ${needs}`);
      if (async) ctx.fail(`--async ${needs}`);
    }
    const { obj: dom } = await domainArg(ctx, args);
    let destXML = xml === undefined ? undefined : await ctx.readFile(xml);
    const printXML = args.has("print-xml");
    let start: () => Promise<void>;
    const transient = flags & VIR.DOMAIN_BLOCK_COPY_TRANSIENT_JOB;
    const syncWrites = flags & VIR.DOMAIN_BLOCK_COPY_SYNCHRONOUS_WRITES;
    if (
      granularity || bufSize || (format !== undefined && format !== "raw") ||
      destXML !== undefined || transient || syncWrites || printXML
    ) {
      const params: TypedParams = {};
      if (bw) {
        if (!bytes) {
          if (bw > BANDWIDTH_MIB_LIMIT) {
            ctx.fail(`bandwidth must be less than ${BANDWIDTH_MIB_LIMIT}`);
          }
          bw <<= 20n;
        }
        params.bandwidth = Number(bw);
      }
      if (granularity) params.granularity = granularity;
      if (bufSize) params["buf-size"] = Number(bufSize);
      if (destXML === undefined) {
        const source = blockdev ? `dev='${escapeXml(dest!)}'` : `file='${escapeXml(dest!)}'`;
        destXML = `<disk type='${blockdev ? "block" : "file"}'>\n  <source ${source}/>\n` +
          (format === undefined ? "" : `  <driver type='${escapeXml(format)}'/>\n`) + "</disk>\n";
      }
      if (printXML) {
        ctx.print(destXML);
        return;
      }
      const doc = destXML;
      start = () => dom.blockCopy(path, doc, params, flags);
    } else {
      flags |= VIR.DOMAIN_BLOCK_REBASE_COPY;
      if (blockdev) flags |= VIR.DOMAIN_BLOCK_REBASE_COPY_DEV;
      if (format === "raw") flags |= VIR.DOMAIN_BLOCK_REBASE_COPY_RAW;
      if (bytes) flags |= VIR.DOMAIN_BLOCK_REBASE_BANDWIDTH_BYTES;
      start = () => dom.blockRebase(path, dest ?? null, Number(bw), flags);
    }
    const wait = blocking
      ? blockJobWaitInit(ctx, dom, {
        dev: path,
        jobName: "Block Copy",
        verbose,
        timeoutMs: timeout,
        asyncAbort: async,
      })
      : undefined;
    try {
      if (!await startAndWait(ctx, wait, "Copy", start)) {
        ctx.printExtra("Block Copy started");
        return;
      }
      await concludeJob(
        ctx,
        dom,
        path,
        { pivot, finish, asyncAbort: async },
        "Successfully copied",
        "Now in mirroring phase",
      );
    } finally {
      wait?.close();
    }
  },
};
