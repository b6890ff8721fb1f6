/**
 * Host commands: `uri`, `hostname`, `version`, `nodeinfo`, `capabilities`, `sysinfo`.
 * @module
 */
import type { CommandDef } from "../context.ts";
import { field } from "../format.ts";

/** `virBitmapDataFormat`: set bits as ranges, `0-3,6`. */
function bitmapFormat(bits: readonly boolean[]): string {
  const out: string[] = [];
  for (let i = 0; i < bits.length; i++) {
    if (!bits[i]) continue;
    let j = i;
    while (bits[j + 1]) j++;
    out.push(i === j ? `${i}` : `${i}-${j}`);
    i = j;
  }
  return out.join(",");
}

/** The libvirt version evsh's command set matches: virsh's "Compiled against library". */
const COMPILED_AGAINST = 9_000_000;

function version(v: number): string {
  return `${Math.floor(v / 1e6)}.${Math.floor(v / 1e3) % 1000}.${v % 1000}`;
}

/** The host command table. */
export const HOST_COMMANDS: CommandDef[] = [
  {
    name: "nodecpumap",
    async run(ctx, args) {
      const r = await ctx.call(() => ctx.conn.getCPUMap(0), "Unable to get cpu map");
      ctx.print(field("CPUs present:", r.map.length) + field("CPUs online:", r.online));
      ctx.print(
        `${"CPU map:".padEnd(15)} ${
          args.has("pretty") ? bitmapFormat(r.map) : r.map.map((u) => (u ? "y" : "-")).join("")
        }\n`,
      );
    },
  },
  {
    name: "maxvcpus",
    async run(ctx, args) {
      const type = ctx.optString(args, "type");
      let vcpus = -1;
      const caps = await ctx.attempt(() =>
        ctx.conn.call("connectGetDomainCapabilities", null, null, null, type ?? null, 0)
      );
      if (caps.ok) {
        const m = /<vcpu\b[^>]*\bmax=['"](\d+)['"]/.exec(caps.value);
        if (m) vcpus = Number(m[1]);
      } else ctx.resetError();
      if (vcpus < 0) vcpus = await ctx.call(() => ctx.conn.getMaxVcpus(type));
      ctx.print(`${vcpus}\n`);
    },
  },
  {
    name: "uri",
    async run(ctx) {
      ctx.print(`${await ctx.call(() => ctx.conn.getURI(), "failed to get URI")}\n`);
    },
  },
  {
    name: "hostname",
    async run(ctx) {
      ctx.print(`${await ctx.call(() => ctx.conn.getHostname(), "failed to get hostname")}\n`);
    },
  },
  {
    name: "version",
    async run(ctx, args) {
      const conn = ctx.conn;
      const lib = await ctx.call(() => conn.getLibVersion(), "failed to get the library version");
      const type = conn.getType();
      ctx.print(`Compiled against library: libvirt ${version(COMPILED_AGAINST)}\n`);
      ctx.print(`Using library: libvirt ${version(lib)}\n`);
      ctx.print(`Using API: ${type} ${version(lib)}\n`);
      const hv = await ctx.call(() => conn.getVersion(), "failed to get the hypervisor version");
      if (hv === 0) ctx.print(`Cannot extract running ${type} hypervisor version\n`);
      else ctx.print(`Running hypervisor: ${type} ${version(hv)}\n`);
      if (!args.has("daemon")) return;
      const daemon = await ctx.attempt(() => conn.getLibVersion());
      if (daemon.ok) ctx.print(`Running against daemon: ${version(daemon.value)}\n`);
      else ctx.error("failed to get the daemon version");
    },
  },
  {
    name: "nodeinfo",
    async run(ctx) {
      const i = await ctx.call(() => ctx.conn.getNodeInfo(), "failed to get node information");
      const line = (label: string, v: string | number) => ctx.print(`${label.padEnd(20)} ${v}\n`);
      line("CPU model:", i.model);
      line("CPU(s):", i.cpus);
      line("CPU frequency:", `${i.mhz} MHz`);
      line("CPU socket(s):", i.sockets);
      line("Core(s) per socket:", i.cores);
      line("Thread(s) per core:", i.threads);
      line("NUMA cell(s):", i.nodes);
      line("Memory size:", `${i.memory} KiB`);
    },
  },
  {
    name: "capabilities",
    async run(ctx) {
      ctx.print(
        `${await ctx.call(() => ctx.conn.getCapabilities(), "failed to get capabilities")}\n`,
      );
    },
  },
  {
    name: "sysinfo",
    async run(ctx) {
      ctx.print(await ctx.call(() => ctx.conn.getSysinfo(), "failed to get sysinfo"));
    },
  },
];
