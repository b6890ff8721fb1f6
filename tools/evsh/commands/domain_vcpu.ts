/**
 * vCPU commands: `vcpucount`, `vcpuinfo`, `setvcpus`, `setvcpu`.
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { VcpuInfo } from "../../../util/driver.ts";
import type { Domain } from "../../../client/domain.ts";
import type { CommandContext, CommandDef } from "../context.ts";
import { formatBitmap } from "../../../conf/domain/bitmap.ts";
import { cpuSeconds, field, vcpuStateName } from "../format.ts";
import { domainArg } from "../lookup.ts";
import { affectFlags, bits, exclusive, requires } from "./common.ts";

const COUNTS = [
  ["maximum", "config", VIR.DOMAIN_AFFECT_CONFIG | VIR.DOMAIN_VCPU_MAXIMUM],
  ["maximum", "live", VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_VCPU_MAXIMUM],
  ["current", "config", VIR.DOMAIN_AFFECT_CONFIG],
  ["current", "live", VIR.DOMAIN_AFFECT_LIVE],
] as const;

/** `vcpucount` without options: every count that applies to the domain's state. */
async function allCounts(ctx: CommandContext, dom: Domain): Promise<void> {
  const active = await ctx.call(() => dom.isActive());
  const persistent = await ctx.call(() => dom.isPersistent());
  const lines: string[] = [];
  for (const [which, state, f] of COUNTS) {
    if ((f & VIR.DOMAIN_AFFECT_LIVE && !active) || (f & VIR.DOMAIN_AFFECT_CONFIG && !persistent)) {
      continue;
    }
    const n = await ctx.call(() => dom.getVcpusFlags(f));
    if (n > 0) lines.push(`${which.padEnd(12)} ${state.padEnd(12)} ${String(n).padStart(3)}\n`);
  }
  ctx.print(lines.join(""));
}

/** `virshNodeGetCPUCount`: the host CPU map's size, else the CPUs nodeinfo implies. */
export async function hostCpuCount(ctx: CommandContext): Promise<number> {
  const map = await ctx.attempt(() => ctx.conn.getCPUMap());
  ctx.resetError();
  if (map.ok) return map.value.map.length;
  const i = await ctx.call(() => ctx.conn.getNodeInfo());
  return i.nodes * i.sockets * i.cores * i.threads;
}

/**
 * `virshVcpuinfoPrintAffinity`: one y/- per host CPU, or with `--pretty` the pinned CPUs as a
 * range list (`virBitmapDataFormat` over the map's `VIR_CPU_MAPLEN(maxcpu)` bytes, so bits past
 * `maxcpu` in its last byte count too).
 */
function affinity(map: readonly boolean[], maxcpu: number, pretty: boolean): string {
  if (pretty) {
    const bits = Math.ceil(maxcpu / 8) * 8;
    const members = map.slice(0, bits).flatMap((on, i) => (on ? [i] : []));
    return `${formatBitmap(members)} (out of ${maxcpu})`;
  }
  let out = "";
  for (let i = 0; i < maxcpu; i++) out += map[i] ? "y" : "-";
  return out;
}

/** The vCPU command table. */
export const DOMAIN_VCPU_COMMANDS: CommandDef[] = [
  {
    name: "vcpucount",
    async run(ctx, args) {
      const any = ["maximum", "active", "live", "config", "current", "guest"].some((o) =>
        args.has(o)
      );
      // virsh keeps the pre-0.9.4 meaning of "--current --live" (= active, live).
      const current = args.has("current") && (args.has("maximum") || args.has("active"));
      exclusive(ctx, args, "live", "config");
      if (current) {
        exclusive(ctx, args, "current", "live");
        exclusive(ctx, args, "current", "config");
      }
      exclusive(ctx, args, "active", "maximum");
      exclusive(ctx, args, "guest", "config");
      const { obj: dom } = await domainArg(ctx, args);
      if (!any) return await allCounts(ctx, dom);
      const f = bits(args, [
        ["live", VIR.DOMAIN_AFFECT_LIVE],
        ["config", VIR.DOMAIN_AFFECT_CONFIG],
        ["maximum", VIR.DOMAIN_VCPU_MAXIMUM],
        ["guest", VIR.DOMAIN_VCPU_GUEST],
      ]);
      const failure = args.has("guest")
        ? "Failed to retrieve vCPU count from the guest"
        : undefined;
      ctx.print(`${await ctx.call(() => dom.getVcpusFlags(f), failure)}\n`);
    },
  },
  {
    name: "vcpuinfo",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      const info = await ctx.call(() => dom.getInfo());
      const maxcpu = await hostCpuCount(ctx);
      const live = await ctx.attempt(() => dom.getVcpus());
      let maps: boolean[][];
      let vcpus: VcpuInfo[] | undefined;
      if (live.ok) {
        ({ info: vcpus, cpumaps: maps } = live.value);
      } else {
        if (info.state !== VIR.DOMAIN_SHUTOFF) ctx.fail();
        ctx.resetError();
        // Inactive domains still have their configured pinning.
        maps = await ctx.call(() => dom.getVcpuPinInfo(VIR.DOMAIN_AFFECT_CONFIG));
      }
      // virsh asks for as many vCPUs as getInfo reports, no more.
      const blocks = maps.slice(0, info.nrVirtCpu).map((map, n) => {
        const v = vcpus?.[n];
        const head = v
          ? field("VCPU:", v.number) + field("CPU:", v.cpu) +
            field("State:", vcpuStateName(v.state)) +
            (v.cpuTime !== 0 ? field("CPU time:", cpuSeconds(v.cpuTime)) : "")
          : field("VCPU:", n) + field("CPU:", "N/A") + field("State:", "N/A") +
            field("CPU time", "N/A");
        return head + field("CPU Affinity:", affinity(map, maxcpu, args.has("pretty")));
      });
      ctx.print(blocks.join("\n"));
    },
  },
  {
    name: "setvcpus",
    async run(ctx, args) {
      let f = affectFlags(ctx, args, VIR.DOMAIN_AFFECT_LIVE, VIR.DOMAIN_AFFECT_CONFIG);
      exclusive(ctx, args, "guest", "config");
      requires(ctx, args, "maximum", "config");
      f |= bits(args, [
        ["guest", VIR.DOMAIN_VCPU_GUEST],
        ["maximum", VIR.DOMAIN_VCPU_MAXIMUM],
        ["hotpluggable", VIR.DOMAIN_VCPU_HOTPLUGGABLE],
      ]);
      const { obj: dom } = await domainArg(ctx, args);
      const count = ctx.uint(args, "count")!;
      if (count === 0) ctx.fail("Can't set 0 processors for a VM");
      if (!args.has("current") && f === 0) await ctx.call(() => dom.setVcpus(count));
      else await ctx.call(() => dom.setVcpusFlags(count, f));
    },
  },
  {
    name: "setvcpu",
    async run(ctx, args) {
      exclusive(ctx, args, "enable", "disable");
      const f = affectFlags(ctx, args, VIR.DOMAIN_AFFECT_LIVE, VIR.DOMAIN_AFFECT_CONFIG);
      const enable = args.has("enable");
      if (!enable && !args.has("disable")) ctx.fail("one of --enable, --disable is required");
      const vcpulist = ctx.optString(args, "vcpulist")!;
      const { obj: dom } = await domainArg(ctx, args);
      await ctx.call(() => dom.setVcpu(vcpulist, enable, f));
    },
  },
];
