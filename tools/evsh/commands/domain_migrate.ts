/**
 * Migration tuning commands: `migrate-setspeed`, `migrate-getspeed`, `migrate-setmaxdowntime`,
 * `migrate-getmaxdowntime`, `migrate-compcache`, `migrate-postcopy`, and `domdirtyrate-calc`,
 * as virsh runs them: the domain first, then its options, then the call.
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { CommandDef } from "../context.ts";
import { domainArg } from "../lookup.ts";
import { prettyCapacity } from "../format.ts";

/** `virshDomainDirtyRateCalcMode`'s names, by their flag. */
const DIRTY_RATE_MODES: Record<string, number> = {
  "page-sampling": VIR.DOMAIN_DIRTYRATE_MODE_PAGE_SAMPLING,
  "dirty-bitmap": VIR.DOMAIN_DIRTYRATE_MODE_DIRTY_BITMAP,
  "dirty-ring": VIR.DOMAIN_DIRTYRATE_MODE_DIRTY_RING,
};

/** The migration tuning command table. */
export const DOMAIN_MIGRATE_COMMANDS: CommandDef[] = [
  {
    name: "migrate-setspeed",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      const bandwidth = ctx.optInt(args, "bandwidth", "ul") ?? 0;
      const flags = args.has("postcopy") ? VIR.DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY : 0;
      await ctx.call(() => dom.migrateSetMaxSpeed(bandwidth, flags));
    },
  },
  {
    name: "migrate-getspeed",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      const flags = args.has("postcopy") ? VIR.DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY : 0;
      ctx.print(`${await ctx.call(() => dom.migrateGetMaxSpeed(flags))}\n`);
    },
  },
  {
    name: "migrate-setmaxdowntime",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      const downtime = ctx.optBigInt(args, "downtime", "ullp") ?? 0n;
      if (downtime < 1n) ctx.fail("migrate: Invalid downtime");
      await ctx.call(() => dom.migrateSetMaxDowntime(Number(downtime)));
    },
  },
  {
    name: "migrate-getmaxdowntime",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      ctx.print(`${await ctx.call(() => dom.migrateGetMaxDowntime())}\n`);
    },
  },
  {
    name: "migrate-compcache",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      const size = ctx.optBigInt(args, "size", "ullp");
      if (size !== undefined) await ctx.call(() => dom.migrateSetCompressionCache(Number(size)));
      const cache = await ctx.call(() => dom.migrateGetCompressionCache());
      ctx.print(`Compression cache: ${prettyCapacity(cache, 3)}`);
    },
  },
  {
    name: "migrate-postcopy",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      await ctx.call(() => dom.migrateStartPostCopy());
    },
  },
  {
    name: "domdirtyrate-calc",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      const seconds = ctx.optInt(args, "seconds", "i") ?? 1;
      const mode = ctx.optString(args, "mode");
      let flags = 0;
      if (mode !== undefined) {
        if (!Object.hasOwn(DIRTY_RATE_MODES, mode)) ctx.fail(`Unknown calculation mode '${mode}'`);
        flags = DIRTY_RATE_MODES[mode];
      }
      await ctx.call(() => dom.startDirtyRateCalc(seconds, flags));
      ctx.printExtra("Start to calculate domain's memory dirty rate successfully.\n");
    },
  },
];
