/**
 * CPU pinning and I/O threads: `vcpupin`, `emulatorpin`, `iothreadinfo`, `iothreadpin`,
 * `iothreadadd`, `iothreaddel`, `iothreadset`.
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import { VirError } from "../../../util/errors.ts";
import type { TypedParams } from "../../../util/contract/types.ts";
import type { Domain } from "../../../client/domain.ts";
import { callDriver } from "../../../client/handle.ts";
import { formatBitmap, parseBitmap } from "../../../conf/domain/bitmap.ts";
import type { CommandContext, CommandDef } from "../context.ts";
import { domainArg } from "../lookup.ts";
import type { Args } from "../options.ts";
import { formatTable } from "../table.ts";
import { affectFlags, exclusive } from "./common.ts";
import { hostCpuCount } from "./domain_vcpu.ts";

/** `virshParseCPUList`: a CPU list (`r` for every CPU) as a map of `maxcpu` host CPUs. */
function parseCpuList(ctx: CommandContext, cpulist: string, maxcpu: number): boolean[] {
  if (cpulist.startsWith("r")) return Array(maxcpu).fill(true);
  let members: number[] = [];
  try {
    members = parseBitmap(cpulist);
  } catch (e) {
    // virBitmapParse's own error stays for the report after virsh's line.
    if (e instanceof VirError) ctx.lastError = e;
    else throw e;
  }
  if (!members.length || members.at(-1)! >= 1024) ctx.fail(`Invalid cpulist '${cpulist}'`);
  const last = members.at(-1)!;
  if (last >= maxcpu) {
    ctx.fail(`CPU ${last} in cpulist '${cpulist}' exceed the maxcpu ${maxcpu}`);
  }
  const map: boolean[] = Array(maxcpu).fill(false);
  for (const m of members) map[m] = true;
  return map;
}

/** `virBitmapDataFormat` of a CPU map of `VIR_CPU_MAPLEN(maxcpu)` bytes. */
function mapText(map: readonly boolean[], maxcpu: number): string {
  return formatBitmap(map.slice(0, Math.ceil(maxcpu / 8) * 8).flatMap((on, i) => (on ? [i] : [])));
}

/** `virshCPUCountCollect` with its state check, for drivers with `virDomainGetVcpusFlags`. */
async function vcpuCount(ctx: CommandContext, dom: Domain, flags: number): Promise<number> {
  const isActive = await ctx.attempt(() => dom.isActive());
  const isPersistent = await ctx.attempt(() => dom.isPersistent());
  if (
    (flags & VIR.DOMAIN_AFFECT_LIVE && !(isActive.ok && isActive.value)) ||
    (flags & VIR.DOMAIN_AFFECT_CONFIG && !(isPersistent.ok && isPersistent.value))
  ) {
    ctx.fail(
      flags & VIR.DOMAIN_AFFECT_LIVE
        ? "cannot get vcpupin for offline domain"
        : "cannot get vcpupin for transient domain",
    );
  }
  return await ctx.call(() => dom.getVcpusFlags(flags | VIR.DOMAIN_VCPU_MAXIMUM));
}

async function vcpuPinQuery(
  ctx: CommandContext,
  dom: Domain,
  vcpu: number | undefined,
  maxcpu: number,
  flags: number,
): Promise<void> {
  const n = await vcpuCount(ctx, dom, flags);
  if (vcpu !== undefined && vcpu >= n) {
    const active = await ctx.attempt(() => dom.isActive());
    const live = flags & VIR.DOMAIN_AFFECT_LIVE ||
      (!(flags & VIR.DOMAIN_AFFECT_CONFIG) && active.ok && active.value);
    ctx.fail(`vcpu ${vcpu} is out of range of ${live ? "live" : "persistent"} cpu count ${n}`);
  }
  const maps = await ctx.attempt(() => dom.getVcpuPinInfo(flags));
  if (!maps.ok) return;
  const rows = maps.value.slice(0, n).flatMap((m, i) =>
    vcpu !== undefined && i !== vcpu ? [] : [[String(i), mapText(m, maxcpu)]]
  );
  ctx.print(formatTable(["VCPU", "CPU Affinity"], rows));
}

/** `--id` of the I/O thread commands, which must be positive. */
function iothreadId(ctx: CommandContext, args: Args): number {
  const id = ctx.optInt(args, "id", "i") ?? 0;
  if (id <= 0) ctx.fail(`Invalid IOThread id value: '${id}'`);
  return id;
}

const live = VIR.DOMAIN_AFFECT_LIVE;
const config = VIR.DOMAIN_AFFECT_CONFIG;

/** `iothreadadd`, `iothreaddel`: a positive id, then the call. */
function iothreadChange(
  name: string,
  method: "domainAddIOThread" | "domainDelIOThread",
): CommandDef {
  return {
    name,
    async run(ctx, args) {
      const flags = affectFlags(ctx, args, live, config);
      const { obj: dom } = await domainArg(ctx, args);
      const id = iothreadId(ctx, args);
      await ctx.call(() => ctx.conn.call(method, dom.ref, id, flags));
    },
  };
}

/** The pinning and I/O thread command table. */
export const DOMAIN_PIN_COMMANDS: CommandDef[] = [
  {
    name: "vcpupin",
    async run(ctx, args) {
      const flags = affectFlags(ctx, args, live, config);
      const cpulist = ctx.optString(args, "cpulist");
      if (cpulist === undefined) exclusive(ctx, args, "live", "config");
      const vcpu = ctx.optInt(args, "vcpu", "uip");
      if (cpulist !== undefined && vcpu === undefined) {
        ctx.fail("vcpupin: Missing vCPU number in pin mode.");
      }
      const maxcpu = await hostCpuCount(ctx);
      const { obj: dom } = await domainArg(ctx, args);
      if (cpulist === undefined) return await vcpuPinQuery(ctx, dom, vcpu, maxcpu, flags);
      const map = parseCpuList(ctx, cpulist, maxcpu);
      if (flags === 0 && !args.has("current")) {
        await ctx.call(() =>
          callDriver(
            ctx.conn,
            { method: "domainPinVcpuFlags", api: "virDomainPinVcpu" },
            dom.ref,
            vcpu!,
            map,
            0,
          )
        );
      } else await ctx.call(() => dom.pinVcpuFlags(vcpu!, map, flags));
    },
  },
  {
    name: "emulatorpin",
    async run(ctx, args) {
      const flags = affectFlags(ctx, args, live, config);
      const none = !["current", "live", "config"].some((o) => args.has(o));
      const { obj: dom } = await domainArg(ctx, args);
      const cpulist = ctx.optString(args, "cpulist");
      const maxcpu = await hostCpuCount(ctx);
      if (cpulist === undefined) {
        const map = await ctx.call(() => dom.getEmulatorPinInfo(flags));
        ctx.printExtra("emulator: CPU Affinity\n");
        ctx.printExtra("----------------------------------\n");
        ctx.printExtra("       *: ");
        ctx.print(`${mapText(map, maxcpu)}\n`);
        return;
      }
      const map = parseCpuList(ctx, cpulist, maxcpu);
      await ctx.call(() => dom.pinEmulator(map, none ? live : flags));
    },
  },
  {
    name: "iothreadinfo",
    async run(ctx, args) {
      const flags = affectFlags(ctx, args, live, config);
      const { obj: dom } = await domainArg(ctx, args);
      const info = await ctx.call(
        () => ctx.conn.call("domainGetIOThreadInfo", dom.ref, flags),
        "Unable to get domain IOThreads information",
      );
      if (!info.length) {
        ctx.printExtra("No IOThreads found for the domain");
        return;
      }
      const rows = info.map((t) => [String(t.iothreadId), mapText(t.cpumap, t.cpumap.length)]);
      ctx.print(formatTable(["IOThread ID", "CPU Affinity"], rows));
    },
  },
  {
    name: "iothreadpin",
    async run(ctx, args) {
      const flags = affectFlags(ctx, args, live, config);
      const { obj: dom } = await domainArg(ctx, args);
      const id = ctx.optInt(args, "iothread", "uip")!;
      const cpulist = ctx.optString(args, "cpulist")!;
      const map = parseCpuList(ctx, cpulist, await hostCpuCount(ctx));
      await ctx.call(() => ctx.conn.call("domainPinIOThread", dom.ref, id, map, flags));
    },
  },
  iothreadChange("iothreadadd", "domainAddIOThread"),
  iothreadChange("iothreaddel", "domainDelIOThread"),
  {
    name: "iothreadset",
    async run(ctx, args) {
      const flags = affectFlags(ctx, args, live, config);
      const { obj: dom } = await domainArg(ctx, args);
      const id = iothreadId(ctx, args);
      const params: TypedParams = {};
      const set = (name: string, v: number | bigint | undefined) => {
        if (v !== undefined) params[name] = Number(v);
      };
      set("poll_max_ns", ctx.optBigInt(args, "poll-max-ns", "ullp"));
      set("poll_grow", ctx.optInt(args, "poll-grow", "uip"));
      set("poll_shrink", ctx.optInt(args, "poll-shrink", "uip"));
      set("thread_pool_min", ctx.optInt(args, "thread-pool-min", "i"));
      set("thread_pool_max", ctx.optInt(args, "thread-pool-max", "i"));
      if (!Object.keys(params).length) ctx.fail("Not enough arguments passed, nothing to set");
      await ctx.call(() => ctx.conn.call("domainSetIOThreadParams", dom.ref, id, params, flags));
    },
  },
];
