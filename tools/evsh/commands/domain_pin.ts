/**
 * CPU pinning and I/O threads: `vcpupin`, `emulatorpin`, `iothreadinfo`, `iothreadpin`,
 * `iothreadadd`, `iothreaddel`, `iothreadset`. The driver contract declares no I/O thread
 * calls, so those fail as libvirt does for a driver without them, after virsh's own checks.
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import { VirError } from "../../../util/errors.ts";
import type { Domain } from "../../../client/domain.ts";
import { callDriver } from "../../../client/handle.ts";
import { formatBitmap, parseBitmap } from "../../../conf/domain/bitmap.ts";
import type { CommandContext, CommandDef } from "../context.ts";
import { domainArg } from "../lookup.ts";
import type { Args } from "../options.ts";
import { formatTable } from "../table.ts";
import { affectFlags, exclusive, undeclared, undeclaredDomainCommand } from "./common.ts";
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

/** The `--current/--live/--config` checks of commands that need no flags from them. */
function affectOnly(ctx: CommandContext, args: Args): void {
  affectFlags(ctx, args, live, config);
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
  undeclaredDomainCommand("iothreadinfo", "virDomainGetIOThreadInfo", {
    before: affectOnly,
    failMessage: "Unable to get domain IOThreads information",
  }),
  undeclaredDomainCommand("iothreadpin", "virDomainPinIOThread", {
    before: affectOnly,
    async after(ctx, args) {
      ctx.optInt(args, "iothread", "uip");
      parseCpuList(ctx, ctx.optString(args, "cpulist")!, await hostCpuCount(ctx));
    },
  }),
  undeclaredDomainCommand("iothreadadd", "virDomainAddIOThread", {
    before: affectOnly,
    after: (ctx, args) => void iothreadId(ctx, args),
  }),
  undeclaredDomainCommand("iothreaddel", "virDomainDelIOThread", {
    before: affectOnly,
    after: (ctx, args) => void iothreadId(ctx, args),
  }),
  {
    name: "iothreadset",
    async run(ctx, args) {
      affectFlags(ctx, args, live, config);
      await domainArg(ctx, args);
      iothreadId(ctx, args);
      const given = [
        ctx.optBigInt(args, "poll-max-ns", "ullp"),
        ctx.optInt(args, "poll-grow", "uip"),
        ctx.optInt(args, "poll-shrink", "uip"),
        ctx.optInt(args, "thread-pool-min", "i"),
        ctx.optInt(args, "thread-pool-max", "i"),
      ].filter((v) => v !== undefined);
      if (!given.length) ctx.fail("Not enough arguments passed, nothing to set");
      undeclared(ctx, "virDomainSetIOThreadParams");
    },
  },
];
