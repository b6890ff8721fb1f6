/**
 * Host resources: `nodecpustats`, `nodememstats`, `node-memory-tune`, `nodesevinfo`,
 * `nodesuspend`, `freecell`, `freepages`, `allocpages`, `domcapabilities`,
 * `pool-capabilities`, `cpu-models`.
 * @module
 */
import { parseXML } from "../xml_parse.ts";
import type { CommandContext, CommandDef } from "../context.ts";
import { xpathDocument, xpathNodes } from "../xpath.ts";
import { exclusive, undeclared } from "./common.ts";
import { typedParamText } from "./domain_guest.ts";
import type { TypedParams } from "../../../util/driver.ts";

/** `virshCPUStats`: the driver's field names with virsh's labels, in virsh's order. */
const CPU_FIELDS = [
  ["user", "user:"],
  ["kernel", "system:"],
  ["idle", "idle:"],
  ["iowait", "iowait:"],
  ["intr", "intr:"],
] as const;

const SUSPEND_TARGETS = ["mem", "disk", "hybrid"];

/** node-memory-tune's options and the KSM parameters they set (`VIR_NODE_MEMORY_SHARED_*`). */
const KSM_OPTIONS = [
  ["shm-pages-to-scan", "shm_pages_to_scan"],
  ["shm-sleep-millisecs", "shm_sleep_millisecs"],
  ["shm-merge-across-nodes", "shm_merge_across_nodes"],
] as const;

/** C's `%5.1lf` of a percentage; glibc writes the NaN of 0/0 as `-nan`. */
function percent(v: number): string {
  return Number.isNaN(v) ? " -nan" : v.toFixed(1).padStart(5);
}

/** The NUMA cell ids of the host capabilities (`/capabilities/host/topology/cells/cell/@id`). */
async function cellIds(ctx: CommandContext): Promise<number[]> {
  const caps = await ctx.call(() => ctx.conn.getCapabilities(), "unable to get node capabilities");
  const doc = xpathDocument(await parseXML(caps));
  return xpathNodes(doc, "/capabilities/host/topology/cells/cell/@id").map((a) =>
    a.kind === "attr" ? Number(a.value) : NaN
  );
}

/** The page sizes the host offers, sorted, without duplicates (`cmdFreepages`). */
async function pageSizes(ctx: CommandContext, caps: string): Promise<number[]> {
  const doc = xpathDocument(await parseXML(caps));
  let nodes = xpathNodes(doc, "/capabilities/host/cpu/pages/@size");
  if (!nodes.length) nodes = xpathNodes(doc, "/capabilities/host/topology/cells/cell/pages/@size");
  if (!nodes.length) ctx.fail("could not get information about supported page sizes");
  const sizes = nodes.map((a) => (a.kind === "attr" ? Number(a.value) : 0));
  return [...new Set(sizes)].sort((a, b) => a - b);
}

/** The host resource command table. */
export const HOST_NODE_COMMANDS: CommandDef[] = [
  {
    name: "nodecpustats",
    async run(ctx, args) {
      const cpu = ctx.optInt(args, "cpu", "i") ?? -1;
      const stats = async (msg: string) =>
        await ctx.call(() => ctx.conn.call("nodeGetCPUStats", cpu, 0), msg);
      const first = await stats("Unable to get number of cpu stats");
      if (!Object.keys(first).length) return;
      let values = first;
      const percentMode = args.has("percent");
      if (percentMode && !("utilization" in first)) {
        // virsh samples twice, a second apart, and works on the differences.
        await new Promise((r) => setTimeout(r, 1000));
        const second = await stats("Unable to get node cpu stats");
        values = Object.fromEntries(
          Object.entries(second).map(([k, v]) => [k, Number(v) - Number(first[k] ?? 0)]),
        );
      } else await stats("Unable to get node cpu stats");
      const present = CPU_FIELDS.filter(([f]) => f in values);
      if (!percentMode) {
        for (const [f, label] of present) {
          ctx.print(`${label.padEnd(15)} ${String(values[f]).padStart(20)}\n`);
        }
        return;
      }
      if ("utilization" in values) {
        const u = Number(values.utilization);
        ctx.print(`${"usage:".padEnd(15)} ${String(u).padStart(5)}%\n`);
        ctx.print(`${"idle:".padEnd(15)} ${String(100 - u).padStart(5)}%\n`);
        return;
      }
      const n = (f: string) => Number(values[f] ?? 0);
      const total = CPU_FIELDS.reduce((t, [f]) => t + n(f), 0);
      ctx.print(`${"usage:".padEnd(15)} ${percent(((n("user") + n("kernel")) / total) * 100)}%\n`);
      for (const [f, label] of present) {
        ctx.print(`${label.padEnd(15)} ${percent((n(f) / total) * 100)}%\n`);
      }
    },
  },
  {
    name: "nodememstats",
    async run(ctx, args) {
      const cell = ctx.optInt(args, "cell", "i") ?? -1;
      const stats = await ctx.call(
        () => ctx.conn.call("nodeGetMemoryStats", cell, 0),
        "Unable to get number of memory stats",
      );
      for (const [k, v] of Object.entries(stats)) {
        ctx.print(`${k.padEnd(7)}: ${String(v).padStart(20)} KiB\n`);
      }
    },
  },
  {
    name: "node-memory-tune",
    async run(ctx, args) {
      const params: TypedParams = {};
      for (const [option, field] of KSM_OPTIONS) {
        const v = ctx.optInt(args, option, "uip");
        if (v !== undefined) params[field] = v;
      }
      if (Object.keys(params).length) {
        await ctx.call(
          () => ctx.conn.setMemoryParameters(params),
          "Unable to change memory parameters",
        );
        return;
      }
      const current = await ctx.call(
        () => ctx.conn.getMemoryParameters(),
        "Unable to get number of memory parameters",
      );
      if (!Object.keys(current).length) return;
      ctx.print("Shared memory:\n");
      for (const [k, v] of Object.entries(current)) {
        ctx.print(`\t${k.padEnd(15)} ${typedParamText(v)}\n`);
      }
    },
  },
  {
    name: "nodesevinfo",
    async run(ctx) {
      const info = await ctx.call(
        () => ctx.conn.getSEVInfo(),
        "Unable to get host SEV information",
      );
      for (const [k, v] of Object.entries(info)) {
        ctx.print(`${k.padEnd(18)}: ${typedParamText(v)}\n`);
      }
    },
  },
  {
    name: "nodesuspend",
    async run(ctx, args) {
      const target = ctx.optString(args, "target")!;
      const duration = ctx.optBigInt(args, "duration", "ll") ?? 0n;
      const code = SUSPEND_TARGETS.indexOf(target);
      if (code < 0) ctx.fail("Invalid target");
      if (duration < 0n) ctx.fail("Invalid duration");
      await ctx.call(
        () => ctx.conn.suspendForDuration(code, Number(duration)),
        "The host was not suspended",
      );
    },
  },
  {
    name: "freecell",
    async run(ctx, args) {
      exclusive(ctx, args, "all", "cellno");
      if (!args.has("all")) {
        if (args.has("cellno")) {
          const cell = ctx.optInt(args, "cellno", "i")!;
          const [free] = await ctx.call(() => ctx.conn.getCellsFreeMemory(cell, 1));
          ctx.print(`${cell}: ${Math.floor(free / 1024)} KiB\n`);
          return;
        }
        const free = await ctx.call(() => ctx.conn.getFreeMemory());
        if (free === 0) ctx.fail();
        ctx.print(`Total: ${Math.floor(free / 1024)} KiB\n`);
        return;
      }
      let total = 0;
      const lines: string[] = [];
      for (const id of await cellIds(ctx)) {
        const [free] = await ctx.call(
          () => ctx.conn.getCellsFreeMemory(id, 1),
          `failed to get free memory for NUMA node number: ${id}`,
        );
        lines.push(
          `${String(id).padStart(5)}: ${String(Math.floor(free / 1024)).padStart(10)} KiB\n`,
        );
        total += free;
      }
      ctx.print(lines.join(""));
      ctx.printExtra("--------------------\n");
      ctx.printExtra(
        `${"Total".padStart(5)}: ${String(Math.floor(total / 1024)).padStart(10)} KiB\n`,
      );
    },
  },
  {
    name: "freepages",
    async run(ctx, args) {
      exclusive(ctx, args, "all", "cellno");
      const bytes = ctx.optScaled(args, "pagesize", 1024, 0xffffffffn) ?? 0;
      const kib = Math.ceil(bytes / 1024);
      if (args.has("all")) {
        const caps = await ctx.call(
          () => ctx.conn.getCapabilities(),
          "unable to get node capabilities",
        );
        const sizes = args.has("pagesize") ? [kib] : await pageSizes(ctx, caps);
        const doc = xpathDocument(await parseXML(caps));
        for (const a of xpathNodes(doc, "/capabilities/host/topology/cells/cell/@id")) {
          const cell = Number(a.kind === "attr" ? a.value : NaN);
          const counts = await ctx.call(() => ctx.conn.call("nodeGetFreePages", sizes, cell, 1, 0));
          ctx.print(`Node ${cell}:\n`);
          sizes.forEach((s, j) => ctx.print(`${s}KiB: ${counts[j]}\n`));
          ctx.print("\n");
        }
        return;
      }
      if (!args.has("cellno")) ctx.fail("missing cellno argument");
      const cell = ctx.optInt(args, "cellno", "i")!;
      if (cell < -1) ctx.fail("cell number must be non-negative integer or -1");
      if (!args.has("pagesize")) ctx.fail("missing pagesize argument");
      const [count] = await ctx.call(() => ctx.conn.call("nodeGetFreePages", [kib], cell, 1, 0));
      ctx.print(`${kib}KiB: ${count}\n`);
    },
  },
  {
    name: "allocpages",
    async run(ctx, args) {
      exclusive(ctx, args, "all", "cellno");
      if (args.has("cellno")) ctx.optInt(args, "cellno", "i");
      ctx.optScaled(args, "pagesize", 1024, 0xffffffffn * 1024n);
      ctx.optBigInt(args, "pagecount", "ullp");
      if (args.has("all")) await cellIds(ctx);
      undeclared(ctx, "virNodeAllocPages", undefined, "NONE");
    },
  },
  {
    name: "domcapabilities",
    async run(ctx, args) {
      const [virttype, emulator, arch, machine] = ["virttype", "emulatorbin", "arch", "machine"]
        .map((o) => ctx.optString(args, o) ?? null);
      const caps = await ctx.call(
        () => ctx.conn.getDomainCapabilities(emulator, arch, machine, virttype, 0),
        "failed to get emulator capabilities",
      );
      ctx.print(`${caps}\n`);
    },
  },
  {
    name: "pool-capabilities",
    async run(ctx) {
      const caps = await ctx.call(
        () => ctx.conn.getStoragePoolCapabilities(),
        "failed to get storage pool capabilities",
      );
      ctx.print(`${caps}\n`);
    },
  },
  {
    name: "cpu-models",
    async run(ctx, args) {
      const arch = ctx.optString(args, "arch")!;
      const models = await ctx.call(
        () => ctx.conn.getCPUModelNames(arch, 0),
        "failed to get CPU model names",
      );
      if (!models.length) ctx.printExtra("all CPU models are accepted\n");
      for (const m of models) ctx.print(`${m}\n`);
    },
  },
];
