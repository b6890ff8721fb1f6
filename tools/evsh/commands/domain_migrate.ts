/**
 * Migration tuning commands: `migrate-setspeed`, `migrate-getspeed`, `migrate-setmaxdowntime`,
 * `migrate-getmaxdowntime`, `migrate-compcache`, `migrate-postcopy`, and `domdirtyrate-calc`.
 * The driver contract declares none of their APIs, so after virsh's own checks they fail as
 * libvirt does for a driver without them.
 * @module
 */
import type { CommandDef } from "../context.ts";
import { domainArg } from "../lookup.ts";
import { undeclared } from "./common.ts";

/** `virshDomainDirtyRateCalcMode`'s names. */
const DIRTY_RATE_MODES = ["page-sampling", "dirty-bitmap", "dirty-ring"];

/** The migration tuning command table. */
export const DOMAIN_MIGRATE_COMMANDS: CommandDef[] = [
  {
    name: "migrate-setspeed",
    async run(ctx, args) {
      await domainArg(ctx, args);
      ctx.optInt(args, "bandwidth", "ul");
      undeclared(ctx, "virDomainMigrateSetMaxSpeed");
    },
  },
  {
    name: "migrate-getspeed",
    async run(ctx, args) {
      await domainArg(ctx, args);
      undeclared(ctx, "virDomainMigrateGetMaxSpeed");
    },
  },
  {
    name: "migrate-setmaxdowntime",
    async run(ctx, args) {
      await domainArg(ctx, args);
      const downtime = ctx.optBigInt(args, "downtime", "ullp") ?? 0n;
      if (downtime < 1n) ctx.fail("migrate: Invalid downtime");
      undeclared(ctx, "virDomainMigrateSetMaxDowntime");
    },
  },
  {
    name: "migrate-getmaxdowntime",
    async run(ctx, args) {
      await domainArg(ctx, args);
      undeclared(ctx, "virDomainMigrateGetMaxDowntime");
    },
  },
  {
    name: "migrate-compcache",
    async run(ctx, args) {
      await domainArg(ctx, args);
      const size = ctx.optBigInt(args, "size", "ullp");
      undeclared(
        ctx,
        size === undefined
          ? "virDomainMigrateGetCompressionCache"
          : "virDomainMigrateSetCompressionCache",
      );
    },
  },
  {
    name: "migrate-postcopy",
    async run(ctx, args) {
      await domainArg(ctx, args);
      undeclared(ctx, "virDomainMigrateStartPostCopy");
    },
  },
  {
    name: "domdirtyrate-calc",
    async run(ctx, args) {
      await domainArg(ctx, args);
      ctx.optInt(args, "seconds", "i");
      const mode = ctx.optString(args, "mode");
      if (mode !== undefined && !DIRTY_RATE_MODES.includes(mode)) {
        ctx.fail(`Unknown calculation mode '${mode}'`);
      }
      undeclared(ctx, "virDomainStartDirtyRateCalc");
    },
  },
];
