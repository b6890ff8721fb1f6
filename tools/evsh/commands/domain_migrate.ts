/**
 * Migration tuning commands: `migrate-setspeed`, `migrate-getspeed`, `migrate-setmaxdowntime`,
 * `migrate-getmaxdowntime`, `migrate-compcache`, `migrate-postcopy`, and `domdirtyrate-calc`.
 * The driver contract declares none of their APIs but `virDomainMigrateStartPostCopy`, so after
 * virsh's own checks the others fail as libvirt does for a driver without them.
 * @module
 */
import type { CommandDef } from "../context.ts";
import { domainArg } from "../lookup.ts";
import { undeclaredDomainCommand } from "./common.ts";

/** `virshDomainDirtyRateCalcMode`'s names. */
const DIRTY_RATE_MODES = ["page-sampling", "dirty-bitmap", "dirty-ring"];

/** The migration tuning command table. */
export const DOMAIN_MIGRATE_COMMANDS: CommandDef[] = [
  undeclaredDomainCommand("migrate-setspeed", "virDomainMigrateSetMaxSpeed", {
    after: (ctx, args) => void ctx.optInt(args, "bandwidth", "ul"),
  }),
  undeclaredDomainCommand("migrate-getspeed", "virDomainMigrateGetMaxSpeed"),
  undeclaredDomainCommand("migrate-setmaxdowntime", "virDomainMigrateSetMaxDowntime", {
    after(ctx, args) {
      if ((ctx.optBigInt(args, "downtime", "ullp") ?? 0n) < 1n) {
        ctx.fail("migrate: Invalid downtime");
      }
    },
  }),
  undeclaredDomainCommand("migrate-getmaxdowntime", "virDomainMigrateGetMaxDowntime"),
  undeclaredDomainCommand("migrate-compcache", "virDomainMigrateGetCompressionCache", {
    after: (ctx, args) =>
      ctx.optBigInt(args, "size", "ullp") === undefined
        ? undefined
        : "virDomainMigrateSetCompressionCache",
  }),
  {
    name: "migrate-postcopy",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      await ctx.call(() => ctx.conn.call("domainMigrateStartPostCopy", dom.ref, 0));
    },
  },
  undeclaredDomainCommand("domdirtyrate-calc", "virDomainStartDirtyRateCalc", {
    after(ctx, args) {
      ctx.optInt(args, "seconds", "i");
      const mode = ctx.optString(args, "mode");
      if (mode !== undefined && !DIRTY_RATE_MODES.includes(mode)) {
        ctx.fail(`Unknown calculation mode '${mode}'`);
      }
    },
  }),
];
