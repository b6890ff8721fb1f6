/**
 * CPU model comparison: `cpu-compare`, `cpu-baseline` against the host's CPU,
 * `hypervisor-cpu-compare`, `hypervisor-cpu-baseline` against what a hypervisor offers.
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import { VirError } from "../../../util/errors.ts";
import { parseXML } from "../xml_parse.ts";
import type { CommandContext, CommandDef } from "../context.ts";
import type { Args } from "../options.ts";
import { dumpNode, xpathDocument, xpathNodes } from "../xpath.ts";
import { bits } from "./common.ts";

/**
 * `vshExtractCPUDefXMLs`: every `<cpu>` of the file, whether it holds CPUs, a domain, host
 * capabilities or domain capabilities (whose host-model `<mode>` becomes a `<cpu>`).
 */
async function cpuDefs(ctx: CommandContext, file: string): Promise<string[]> {
  let text = await ctx.readFile(file);
  if (text.startsWith("<?xml") && text.includes("?>")) text = text.slice(text.indexOf("?>") + 2);
  let root;
  try {
    root = await parseXML(`<container>${text}</container>`, { context: file });
  } catch (e) {
    if (!(e instanceof VirError)) throw e;
    ctx.lastError = e;
    return ctx.fail();
  }
  const doc = xpathDocument(root, true);
  const nodes = xpathNodes(
    doc,
    "/container/cpu|/container/domain/cpu|/container/capabilities/host/cpu|" +
      "/container/domainCapabilities/cpu/mode[@name='host-model' and @supported='yes']",
  );
  if (!nodes.length) {
    ctx.fail(
      `File '${file}' does not contain any <cpu> element or valid domain XML, host ` +
        "capabilities XML, or domain capabilities XML",
    );
  }
  return nodes.map((n) => {
    if (n.kind === "element" && n.name === "mode") {
      return dumpNode({ ...n, name: "cpu", attrs: [] });
    }
    return dumpNode(n);
  });
}

const COMPARE_FLAGS: readonly (readonly [string, number])[] = [
  ["error", VIR.CONNECT_COMPARE_CPU_FAIL_INCOMPATIBLE],
  ["validate", VIR.CONNECT_COMPARE_CPU_VALIDATE_XML],
];

const BASELINE_FLAGS: readonly (readonly [string, number])[] = [
  ["features", VIR.CONNECT_BASELINE_CPU_EXPAND_FEATURES],
  ["migratable", VIR.CONNECT_BASELINE_CPU_MIGRATABLE],
];

/** The hypervisor selection options, read in virsh's order, as the calls take them. */
function hypervisorOptions(ctx: CommandContext, args: Args) {
  const [virttype, emulator, arch, machine] = ["virttype", "emulator", "arch", "machine"].map((o) =>
    ctx.optString(args, o) ?? null
  );
  return [emulator, arch, machine, virttype] as const;
}

/** The CPU comparison command table. */
export const HOST_CPU_COMMANDS: CommandDef[] = [
  {
    name: "cpu-compare",
    async run(ctx, args) {
      const flags = bits(args, COMPARE_FLAGS);
      const file = ctx.optString(args, "file")!;
      const [cpu] = await cpuDefs(ctx, file);
      const r = await ctx.attempt(() => ctx.conn.call("connectCompareCPU", cpu, flags));
      const result = r.ok ? r.value : -1;
      if (result === 0) {
        ctx.print(`CPU described in ${file} is incompatible with host CPU\n`);
        ctx.fail();
      } else if (result === 1) ctx.print(`CPU described in ${file} is identical to host CPU\n`);
      else if (result === 2) ctx.print(`Host CPU is a superset of CPU described in ${file}\n`);
      else ctx.fail(`Failed to compare host CPU with ${file}`);
    },
  },
  {
    name: "cpu-baseline",
    async run(ctx, args) {
      const flags = bits(args, BASELINE_FLAGS);
      const file = ctx.optString(args, "file")!;
      const cpus = await cpuDefs(ctx, file);
      ctx.print(await ctx.call(() => ctx.conn.call("connectBaselineCPU", cpus, flags)));
    },
  },
  {
    name: "hypervisor-cpu-compare",
    async run(ctx, args) {
      const flags = bits(args, COMPARE_FLAGS);
      const file = ctx.optString(args, "file")!;
      const hv = hypervisorOptions(ctx, args);
      const [cpu] = await cpuDefs(ctx, file);
      const r = await ctx.attempt(() =>
        ctx.conn.call("connectCompareHypervisorCPU", ...hv, cpu, flags)
      );
      const result = r.ok ? r.value : -1;
      if (result === 0) {
        ctx.print(
          `CPU described in ${file} is incompatible with the CPU provided by hypervisor on the host\n`,
        );
        ctx.fail();
      } else if (result === 1) {
        ctx.print(
          `CPU described in ${file} is identical to the CPU provided by hypervisor on the host\n`,
        );
      } else if (result === 2) {
        ctx.print(
          `The CPU provided by hypervisor on the host is a superset of CPU described in ${file}\n`,
        );
      } else ctx.fail(`Failed to compare hypervisor CPU with ${file}`);
    },
  },
  {
    name: "hypervisor-cpu-baseline",
    async run(ctx, args) {
      const flags = bits(args, BASELINE_FLAGS);
      const file = ctx.optString(args, "file");
      const hv = hypervisorOptions(ctx, args);
      const model = ctx.optString(args, "model");
      if (file !== undefined && model !== undefined) {
        ctx.fail("Options --file and --model are mutually exclusive");
      }
      if (file === undefined && model === undefined) {
        ctx.fail("Either --file or --model must be provided");
      }
      const cpus = file !== undefined
        ? await cpuDefs(ctx, file)
        : [`<cpu><model>${model}</model></cpu>`];
      ctx.print(
        await ctx.call(() => ctx.conn.call("connectBaselineHypervisorCPU", ...hv, cpus, flags)),
      );
    },
  },
];
