/**
 * Domain monitoring commands: `dommemstat`, `domtime`, `domcontrol`, `domhostname`,
 * `domifstat`, `domlaunchsecinfo`, `inject-nmi`, `domblkinfo`, `domblkerror`, `domblklist`,
 * `domiflist`, `domif-getlink`.
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { Domain } from "../../../client/domain.ts";
import { parseXML } from "../xml_parse.ts";
import type { CommandContext, CommandDef } from "../context.ts";
import { domainArg } from "../lookup.ts";
import type { Args } from "../options.ts";
import { prettyCapacity } from "../format.ts";
import { formatTable } from "../table.ts";
import { type XNode, xpathDocument, xpathNodes, xpathString } from "../xpath.ts";
import { affectFlags, exclusive } from "./common.ts";
import { typedParamText } from "./domain_guest.ts";

/** `virshDomainGetXML`: the domain of `--domain` and its parsed description. */
async function domainXML(ctx: CommandContext, args: Args, flags: number) {
  const { obj: dom } = await domainArg(ctx, args);
  const xml = await ctx.call(() => dom.getXMLDesc(flags));
  return { dom, doc: xpathDocument(await parseXML(xml)) };
}

/** The memory statistics virsh prints, by their tag names. */
const MEMORY_STATS = new Set([
  "swap_in",
  "swap_out",
  "major_fault",
  "minor_fault",
  "unused",
  "available",
  "usable",
  "actual",
  "rss",
  "last_update",
  "disk_caches",
  "hugetlb_pgalloc",
  "hugetlb_pgfail",
]);

const CONTROL_STATES = ["ok", "background job", "occupied", "error"];
const CONTROL_ERROR_REASONS = ["", "unknown", "monitor failure", "internal (locking) error"];
const IO_ERRORS = ["no error", "unspecified error", "no space"];
const HOSTNAME_SOURCES: Record<string, number> = {
  agent: VIR.DOMAIN_GET_HOSTNAME_AGENT,
  lease: VIR.DOMAIN_GET_HOSTNAME_LEASE,
};
const INTERFACE_STATS = [
  "rx_bytes",
  "rx_packets",
  "rx_errs",
  "rx_drop",
  "tx_bytes",
  "tx_packets",
  "tx_errs",
  "tx_drop",
];

/** `cmdDomblkinfoGet`: capacity, allocation and physical size as virsh words them. */
function blockInfoCells(
  info: { capacity: number; allocation: number; physical: number },
  human: boolean,
): string[] {
  const values = [info.capacity, info.allocation, info.physical];
  if (values.every((v) => v === 0)) return ["-", "-", "-"];
  return values.map((v) => (human ? prettyCapacity(v, 3) : String(v)));
}

/** `%0.3f` of milliseconds as seconds. */
function seconds3(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** `g_date_time_format(…, "%Y-%m-%d %H:%M:%S")` of a UTC time. */
function utcTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace("T", " ").slice(0, 19);
}

async function isActive(ctx: CommandContext, dom: Domain): Promise<boolean> {
  const r = await ctx.attempt(() => dom.isActive());
  return r.ok && r.value;
}

/** The domain monitoring command table. */
export const DOMAIN_MONITOR_COMMANDS: CommandDef[] = [
  {
    name: "dommemstat",
    async run(ctx, args) {
      let flags = affectFlags(ctx, args, VIR.DOMAIN_AFFECT_LIVE, VIR.DOMAIN_AFFECT_CONFIG);
      const { obj: dom, arg } = await domainArg(ctx, args);
      if (!["current", "live", "config"].some((o) => args.has(o)) && await isActive(ctx, dom)) {
        flags |= VIR.DOMAIN_AFFECT_LIVE;
      }
      const period = ctx.optInt(args, "period", "i");
      if (period !== undefined) {
        if (period < 0) ctx.fail(`Invalid collection period value '${period}'`);
        await ctx.call(
          () => ctx.conn.call("domainSetMemoryStatsPeriod", dom.ref, period, flags),
          "Unable to change balloon collection period.",
        );
        return;
      }
      const stats = await ctx.call(
        () => ctx.conn.call("domainMemoryStats", dom.ref, 0),
        `Failed to get memory statistics for domain ${arg}`,
      );
      for (const [tag, v] of Object.entries(stats)) {
        if (MEMORY_STATS.has(tag)) ctx.print(`${tag} ${v}\n`);
      }
    },
  },
  {
    name: "domtime",
    async run(ctx, args) {
      exclusive(ctx, args, "time", "now");
      exclusive(ctx, args, "time", "sync");
      exclusive(ctx, args, "now", "sync");
      const { obj: dom } = await domainArg(ctx, args);
      const time = ctx.optBigInt(args, "time", "ll");
      const now = args.has("now");
      const sync = args.has("sync");
      if (time !== undefined || now || sync) {
        const seconds = now ? Math.floor(Date.now() / 1000) : Number(time ?? 0n);
        const flags = sync ? VIR.DOMAIN_TIME_SYNC : 0;
        await ctx.call(() => ctx.conn.call("domainSetTime", dom.ref, seconds, 0, flags));
        return;
      }
      const t = await ctx.call(() => ctx.conn.call("domainGetTime", dom.ref, 0));
      ctx.print(`Time: ${args.has("pretty") ? utcTime(t.seconds) : t.seconds}`);
    },
  },
  {
    name: "domcontrol",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      const info = await ctx.call(() => ctx.conn.call("domainGetControlInfo", dom.ref, 0));
      const state = CONTROL_STATES[info.state];
      if (info.state !== VIR.DOMAIN_CONTROL_OK && info.state !== VIR.DOMAIN_CONTROL_ERROR) {
        ctx.print(`${state} (${seconds3(info.stateTime)}s)\n`);
      } else if (info.state === VIR.DOMAIN_CONTROL_ERROR && info.details > 0) {
        ctx.print(`${state}: ${CONTROL_ERROR_REASONS[info.details]}\n`);
      } else {
        ctx.print(`${state}\n`);
      }
    },
  },
  {
    name: "domhostname",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      const source = ctx.optString(args, "source");
      let flags = 0;
      if (source !== undefined) {
        if (!(source in HOSTNAME_SOURCES)) ctx.fail(`Unknown data source '${source}'`);
        flags = HOSTNAME_SOURCES[source];
      }
      const name = await ctx.call(
        () => ctx.conn.call("domainGetHostname", dom.ref, flags),
        "failed to get hostname",
      );
      ctx.print(`${name}\n`);
    },
  },
  {
    name: "domifstat",
    async run(ctx, args) {
      const { obj: dom, arg } = await domainArg(ctx, args);
      const device = ctx.optString(args, "interface")!;
      const stats = await ctx.call(
        () => ctx.conn.call("domainInterfaceStats", dom.ref, device),
        `Failed to get interface stats ${arg} ${device}`,
      );
      for (const k of INTERFACE_STATS) {
        const v = Number(stats[k] ?? -1);
        if (v >= 0) ctx.print(`${device} ${k} ${v}\n`);
      }
    },
  },
  {
    name: "domlaunchsecinfo",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      // libvirt's entry point asks for string parameters of drivers that can send them.
      const params = await ctx.call(
        () => ctx.conn.call("domainGetLaunchSecurityInfo", dom.ref, VIR.TYPED_PARAM_STRING_OKAY),
        "Unable to get launch security parameters",
      );
      for (const [k, v] of Object.entries(params)) ctx.print(`${k.padEnd(15)}: ${v}\n`);
    },
  },
  {
    name: "inject-nmi",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      await ctx.call(() => ctx.conn.call("domainInjectNMI", dom.ref, 0));
    },
  },
  {
    name: "domblkinfo",
    async run(ctx, args) {
      exclusive(ctx, args, "all", "device");
      const { obj: dom } = await domainArg(ctx, args);
      const all = args.has("all");
      const device = ctx.optStringQuiet(args, "device");
      if (!all && !device) ctx.fail("command 'domblkinfo' requires <device> option");
      const human = args.has("human");
      if (!all) {
        const info = await ctx.call(() => ctx.conn.call("domainGetBlockInfo", dom.ref, device!, 0));
        const [cap, alloc, phy] = blockInfoCells(info, human);
        ctx.print(`${"Capacity:".padEnd(15)} ${cap}\n`);
        ctx.print(`${"Allocation:".padEnd(15)} ${alloc}\n`);
        ctx.print(`${"Physical:".padEnd(15)} ${phy}\n`);
        return;
      }
      const active = await isActive(ctx, dom);
      const xml = await ctx.call(() => dom.getXMLDesc(0));
      const doc = xpathDocument(await parseXML(xml));
      const rows: string[][] = [];
      for (const disk of xpathNodes(doc, "./devices/disk")) {
        const protocol = xpathString(doc, "string(./source/@protocol)", disk);
        const target = xpathString(doc, "string(./target/@dev)", disk) ?? "";
        let info = { capacity: 0, allocation: 0, physical: 0 };
        if (xpathNodes(doc, "./source", disk).length) {
          const r = await ctx.attempt(() =>
            ctx.conn.call("domainGetBlockInfo", dom.ref, target, 0)
          );
          if (r.ok) info = r.value;
          else {
            // Networked storage has no sizes while the domain is off: virsh shows zeros.
            const e = ctx.lastError;
            if (
              !(protocol && !active && e?.code === VIR.ERR_INTERNAL_ERROR &&
                e.domain === VIR.FROM_STORAGE)
            ) ctx.fail();
            ctx.resetError();
          }
        }
        rows.push([target, ...blockInfoCells(info, human)]);
      }
      ctx.print(formatTable(["Target", "Capacity", "Allocation", "Physical"], rows));
    },
  },
  {
    name: "domblkerror",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      const errors = await ctx.call(() => ctx.conn.call("domainGetDiskErrors", dom.ref, 0));
      const list = Object.entries(errors);
      if (!list.length) ctx.print("No errors found\n");
      for (const [disk, e] of list) ctx.print(`${disk}: ${IO_ERRORS[e] ?? "unknown error"}\n`);
    },
  },
  {
    name: "domblklist",
    async run(ctx, args) {
      const flags = args.has("inactive") ? VIR.DOMAIN_XML_INACTIVE : 0;
      const details = args.has("details");
      const { doc } = await domainXML(ctx, args, flags);
      const rows: string[][] = [];
      for (const disk of xpathNodes(doc, "./devices/disk")) {
        const type = xpathString(doc, "string(./@type)", disk);
        const device = xpathString(doc, "string(./@device)", disk);
        if (details && (!type || !device)) {
          ctx.print("unable to query block list details");
          ctx.fail();
        }
        const target = xpathString(doc, "string(./target/@dev)", disk);
        if (!target) ctx.fail("unable to query block list");
        const source = type === "nvme" ? nvmeSource(ctx, doc, disk) : xpathString(
          doc,
          "string(./source/@file|./source/@dev|./source/@dir|./source/@name|./source/@volume" +
            "|./source/@path)",
          disk,
        );
        rows.push(
          details ? [type!, device!, target!, source ?? "-"] : [target!, source ?? "-"],
        );
      }
      const header = details ? ["Type", "Device", "Target", "Source"] : ["Target", "Source"];
      ctx.print(formatTable(header, rows));
    },
  },
  {
    name: "domiflist",
    async run(ctx, args) {
      const flags = args.has("inactive") ? VIR.DOMAIN_XML_INACTIVE : 0;
      const { doc } = await domainXML(ctx, args, flags);
      const rows = xpathNodes(doc, "./devices/interface").map((n) => {
        const s = (e: string) => xpathString(doc, e, n) ?? "-";
        return [
          s("string(./target/@dev)"),
          xpathString(doc, "string(./@type)", n) ?? "",
          s(
            "string(./source/@bridge|./source/@dev|./source/@network|./source/@name" +
              "|./source/@path)",
          ),
          s("string(./model/@type)"),
          s("string(./mac/@address)"),
        ];
      });
      ctx.print(formatTable(["Interface", "Type", "Source", "Model", "MAC"], rows));
    },
  },
  {
    name: "domif-getlink",
    async run(ctx, args) {
      const iface = ctx.optString(args, "interface")!;
      const flags = args.has("config") ? VIR.DOMAIN_XML_INACTIVE : 0;
      const { doc } = await domainXML(ctx, args, flags);
      const mac = normalizeMac(iface);
      const found = xpathNodes(doc, "/domain/devices/interface").filter((n) =>
        xpathNodes(doc, "mac/@address", n).some((a) => a.kind === "attr" && a.value === mac) ||
        xpathNodes(doc, "target/@dev", n).some((a) => a.kind === "attr" && a.value === iface)
      );
      if (found.length < 1) {
        ctx.fail(
          mac ? `Interface (mac: ${mac}) not found.` : `Interface (dev: ${iface}) not found.`,
        );
      }
      if (found.length > 1) ctx.fail("multiple matching interfaces found");
      ctx.print(`${iface} ${xpathString(doc, "string(./link/@state)", found[0]) ?? "up"}`);
    },
  },
  {
    name: "cpu-stats",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      let total = args.has("total");
      let perCpu = false;
      let cpu = 0;
      let count = -1;
      const start = ctx.optInt(args, "start", "i");
      if (start !== undefined) {
        if (start < 0) ctx.fail("Invalid value for start CPU");
        cpu = start;
        perCpu = true;
      }
      const n = ctx.optInt(args, "count", "i");
      if (n !== undefined) {
        if (n < 0) ctx.fail("Invalid value for number of CPUs to show");
        count = n;
        perCpu = true;
      }
      if (!total && !perCpu) total = perCpu = true;
      const failed = `Failed to retrieve CPU statistics for domain '${dom.name}'`;
      if (perCpu) {
        // The CPU count query of virDomainGetCPUStats: one record per host CPU from 0.
        const maxId = (await ctx.call(() => dom.getCPUStats(0, 128, 0), failed)).length;
        if (cpu >= maxId) {
          ctx.fail(`Start CPU ${cpu} is out of range (min: 0, max: ${maxId - 1})`);
        }
        if (count < 0 || count > maxId) {
          if (count > maxId) ctx.print(`Only ${maxId} CPUs available to show\n`);
          count = maxId - cpu;
        }
        const stats = await ctx.call(() => dom.getCPUStats(cpu, count, 0), failed);
        stats.forEach((rec, i) => {
          ctx.print(`CPU${cpu + i}:\n`);
          for (const [k, v] of Object.entries(rec)) ctx.print(cpuStatsField(k, v));
        });
        if (!total) return;
      }
      const [rec] = await ctx.call(() => dom.getCPUStats(-1, 1, 0), failed);
      ctx.print("Total:\n");
      for (const [k, v] of Object.entries(rec ?? {})) ctx.print(cpuStatsField(k, v));
    },
  },
];

/** `vshCPUStatsPrintField`: times in seconds with nanoseconds, anything else as is. */
function cpuStatsField(field: string, value: number | string | boolean): string {
  const head = `\t${field.padEnd(12)} `;
  if (["cpu_time", "vcpu_time", "user_time", "system_time"].includes(field)) {
    const ns = BigInt(value as number);
    const frac = String(ns % 1000000000n).padStart(9, "0");
    return `${head}${String(ns / 1000000000n).padStart(9)}.${frac} seconds\n`;
  }
  return `${head}${typedParamText(value)}\n`;
}

/** `virMacAddrParse` + `virMacAddrFormat`: the lower-case canonical MAC, "" when not one. */
export function normalizeMac(s: string): string {
  const parts = s.split(":");
  if (parts.length !== 6 || !parts.every((p) => /^[0-9a-fA-F]{1,2}$/.test(p))) return "";
  return parts.map((p) => p.toLowerCase().padStart(2, "0")).join(":");
}

/** An NVMe disk's source as `nvme://DDDD:BB:SS.F/NS`. */
function nvmeSource(
  ctx: CommandContext,
  doc: ReturnType<typeof xpathDocument>,
  disk: XNode,
): string {
  const ns = xpathString(doc, "string(./source/@namespace)", disk);
  const attr = (a: string) => xpathString(doc, `string(./source/address/@${a})`, disk);
  const [d, b, s, f] = ["domain", "bus", "slot", "function"].map((a) => Number(attr(a) ?? "0"));
  if (!ns || !xpathNodes(doc, "./source/address", disk).length) {
    ctx.fail("Unable to query NVMe disk address");
  }
  const hex = (n: number, w: number) => n.toString(16).padStart(w, "0");
  return `nvme://${hex(d, 4)}:${hex(b, 2)}:${hex(s, 2)}.${f}/${ns}`;
}
