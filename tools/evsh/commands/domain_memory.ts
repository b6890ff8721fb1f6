/**
 * Memory commands: `setmem`, `setmaxmem` (sizes with units, KiB by default).
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { CommandDef } from "../context.ts";
import { domainArg } from "../lookup.ts";
import { affectFlags } from "./common.ts";

/** The memory command table. */
export const DOMAIN_MEMORY_COMMANDS: CommandDef[] = [
  {
    name: "setmem",
    async run(ctx, args) {
      let f = affectFlags(ctx, args, VIR.DOMAIN_MEM_LIVE, VIR.DOMAIN_MEM_CONFIG);
      // With no option virsh calls virDomainSetMemory, which is the live change (libvirt 9.0
      // words even its zero check as virDomainSetMemoryFlags'), unlike an explicit --current.
      if (!["config", "live", "current"].some((o) => args.has(o))) f = VIR.DOMAIN_MEM_LIVE;
      const { obj: dom } = await domainArg(ctx, args);
      const kib = ctx.kibibytes(args, "size")!;
      await ctx.call(() => dom.setMemoryFlags(kib, f));
    },
  },
  {
    name: "setmaxmem",
    async run(ctx, args) {
      const f = affectFlags(ctx, args, VIR.DOMAIN_MEM_LIVE, VIR.DOMAIN_MEM_CONFIG);
      const { obj: dom } = await domainArg(ctx, args);
      const kib = ctx.kibibytes(args, "size")!;
      await ctx.call(
        () => dom.setMemoryFlags(kib, f | VIR.DOMAIN_MEM_MAXIMUM),
        "Unable to change MaxMemorySize",
      );
    },
  },
];
