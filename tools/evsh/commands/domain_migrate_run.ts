/**
 * `migrate` (virsh's `cmdMigrate` and its worker `doMigrate`): virsh's option checks, the
 * destination connection for a managed migration, the migration parameters, then libvirt's
 * entry points `virDomainMigrate3` / `virDomainMigrateToURI3` with their flag and driver
 * feature checks. A managed migration is the client's `Domain.migrate3`; the unmanaged one
 * (peer-to-peer) its `Domain.migrateToURI3`, which the source's driver runs.
 * @module
 */
import type { Connection } from "../../../client/connection.ts";
import type { Domain } from "../../../client/domain.ts";
import { migrateToURI3 } from "../../../client/domain_migrate_uri.ts";
import type { TypedParams } from "../../../util/driver.ts";
import { VIR } from "../../../util/constants.ts";
import { type CommandContext, type CommandDef, CommandFailed } from "../context.ts";
import { domainArg } from "../lookup.ts";
import type { Args } from "../options.ts";
import { bits, exclusive, jobDone, printJobProgress, requires, undeclared } from "./common.ts";

/** Migration flags by option, in `doMigrate`'s order. */
const FLAGS: readonly (readonly [string, number])[] = [
  ["live", VIR.MIGRATE_LIVE],
  ["p2p", VIR.MIGRATE_PEER2PEER],
  ["tunnelled", VIR.MIGRATE_TUNNELLED],
  ["persistent", VIR.MIGRATE_PERSIST_DEST],
  ["undefinesource", VIR.MIGRATE_UNDEFINE_SOURCE],
  ["suspend", VIR.MIGRATE_PAUSED],
  ["copy-storage-all", VIR.MIGRATE_NON_SHARED_DISK],
  ["copy-storage-inc", VIR.MIGRATE_NON_SHARED_INC],
  ["change-protection", VIR.MIGRATE_CHANGE_PROTECTION],
  ["unsafe", VIR.MIGRATE_UNSAFE],
  ["compressed", VIR.MIGRATE_COMPRESSED],
  ["auto-converge", VIR.MIGRATE_AUTO_CONVERGE],
  ["rdma-pin-all", VIR.MIGRATE_RDMA_PIN_ALL],
  ["offline", VIR.MIGRATE_OFFLINE],
  ["abort-on-error", VIR.MIGRATE_ABORT_ON_ERROR],
  ["postcopy", VIR.MIGRATE_POSTCOPY],
  ["postcopy-resume", VIR.MIGRATE_POSTCOPY_RESUME],
  ["zerocopy", VIR.MIGRATE_ZEROCOPY],
  ["tls", VIR.MIGRATE_TLS],
  ["parallel", VIR.MIGRATE_PARALLEL],
];

/**
 * A migration (`run`: the client's managed `virDomainMigrate3`, or `virDomainMigrateToURI3`)
 * watched as `virshWatchJob` does: every 500 ms the job's progress under `--verbose`, and after
 * `--timeout` seconds the domain suspended (`virshMigrateTimeout`; post-copy is refused
 * before). Fails with its error.
 */
async function watched(
  ctx: CommandContext,
  args: Args,
  dom: Domain,
  timeout: number,
  run: () => Promise<unknown>,
): Promise<void> {
  const progress = args.has("verbose")
    ? setInterval(async () => {
      const info = await dom.getJobInfo().catch(() => undefined);
      const total = Number(info?.dataTotal ?? 0);
      if (total > 0) printJobProgress(ctx, "Migration", Number(info!.dataRemaining), total);
    }, 500)
    : undefined;
  const timer = timeout
    ? setTimeout(() => dom.suspend().catch(() => {}), timeout * 1000)
    : undefined;
  try {
    const r = await ctx.attempt(run);
    if (!r.ok) throw new CommandFailed();
  } finally {
    clearInterval(progress);
    clearTimeout(timer);
  }
}

/** `doMigrate`'s parameters, read in its order (each bad value ends the command). */
async function migrationParams(ctx: CommandContext, args: Args): Promise<Map<string, unknown>> {
  const params = new Map<string, unknown>();
  const str = (opt: string, param: string) => {
    const v = ctx.optString(args, opt);
    if (v !== undefined) params.set(param, v);
  };
  const int = (opt: string, param: string, kind: "i" | "ull", zeroToo = true) => {
    const v = kind === "i" ? ctx.optInt(args, opt, "i") : ctx.optBigInt(args, opt, "ullp");
    if (v !== undefined && (zeroToo || v)) params.set(param, v);
  };
  const file = async (opt: string, param: string) => {
    const path = ctx.optString(args, opt);
    if (path === undefined) return;
    try {
      params.set(param, await ctx.readFile(path));
    } catch (e) {
      if (e instanceof CommandFailed) ctx.error(`cannot read file '${path}'`);
      throw e;
    }
  };
  str("migrateuri", "migrate_uri");
  str("graphicsuri", "graphics_uri");
  str("listen-address", "listen_address");
  int("disks-port", "disks_port", "i", false);
  str("disks-uri", "disks_uri");
  str("dname", "destination_name");
  str("migrate-disks", "migrate_disks");
  str("comp-methods", "compression");
  int("comp-mt-level", "compression.mt.level", "i");
  int("comp-mt-threads", "compression.mt.threads", "i");
  int("comp-mt-dthreads", "compression.mt.dthreads", "i");
  int("comp-xbzrle-cache", "compression.xbzrle.cache", "ull");
  await file("xml", "destination_xml");
  await file("persistent-xml", "persistent_xml");
  int("auto-converge-initial", "auto_converge.initial", "i");
  int("auto-converge-increment", "auto_converge.increment", "i");
  int("postcopy-bandwidth", "bandwidth.postcopy", "ull");
  int("parallel-connections", "parallel.connections", "i");
  int("bandwidth", "bandwidth", "ull");
  str("tls-destination", "tls.destination");
  return params;
}

/** The `migrate` command. */
export const MIGRATE_COMMAND: CommandDef = {
  name: "migrate",
  async run(ctx, args) {
    exclusive(ctx, args, "live", "offline");
    exclusive(ctx, args, "timeout-suspend", "timeout-postcopy");
    requires(ctx, args, "postcopy-after-precopy", "postcopy");
    requires(ctx, args, "postcopy-resume", "postcopy");
    requires(ctx, args, "timeout-postcopy", "postcopy");
    requires(ctx, args, "persistent-xml", "persistent");
    requires(ctx, args, "tls-destination", "tls");
    const { obj: dom } = await domainArg(ctx, args);
    const timeout = ctx.optInt(args, "timeout", "uip") ?? 0;
    if (timeout > 0 && !args.has("live")) {
      ctx.fail("migrate: Unexpected timeout for offline migration");
    }
    const timeoutAction = args.has("timeout-suspend") || args.has("timeout-postcopy");
    if (!timeout && timeoutAction) {
      ctx.fail("migrate: Unexpected --timeout-* option without --timeout");
    }
    const direct = args.has("p2p") || args.has("direct");
    let dconn: Connection | undefined;
    let iterEvent: number | undefined;
    try {
      if (args.has("postcopy-after-precopy")) {
        // virshMigrationIterationCallback: the second pass over memory starts post-copy.
        const r = await ctx.attempt(() =>
          Promise.resolve(
            ctx.conn.domainEventRegisterAny(
              dom,
              VIR.DOMAIN_EVENT_ID_MIGRATION_ITERATION,
              (ev) => {
                if (ev.data.iteration === 2) dom.migrateStartPostCopy(0).catch(() => {});
              },
            ),
          )
        );
        if (!r.ok) return ctx.fail();
        iterEvent = r.value;
      }
      if (!direct) {
        const desturi = ctx.optString(args, "desturi")!;
        const open = ctx.state?.open;
        if (!open) return undeclared(ctx, "virConnectOpen", undefined, "NONE");
        const r = await ctx.attempt(() => open(desturi, false));
        if (!r.ok) return ctx.fail();
        dconn = r.value;
      }
      // doMigrate, the worker: the domain again, the URI, the parameters, the flags.
      await domainArg(ctx, args);
      ctx.optString(args, "desturi");
      const params = await migrationParams(ctx, args);
      let flags = bits(args, FLAGS);
      if (args.has("copy-storage-synchronous-writes")) {
        if (!(flags & (VIR.MIGRATE_NON_SHARED_DISK | VIR.MIGRATE_NON_SHARED_INC))) {
          ctx.fail(
            "'--copy-storage-synchronous-writes' requires one of '--copy-storage-all', " +
              "'copy-storage-inc'",
          );
        }
        flags |= VIR.MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES;
      }
      const typed: TypedParams = Object.fromEntries(
        [...params].map((
          [k, v],
        ) => [k, typeof v === "bigint" ? Number(v) : v as string | number]),
      );
      const desturi = ctx.optString(args, "desturi")!;
      await watched(
        ctx,
        args,
        dom,
        timeout,
        dconn
          ? () => dom.migrate3(dconn!, typed, flags)
          : () => migrateToURI3(ctx.conn, dom.ref, desturi, typed, flags),
      );
      jobDone(ctx, args, "Migration");
    } finally {
      await dconn?.close();
      if (iterEvent !== undefined) ctx.conn.eventDeregisterAny(iterEvent);
    }
  },
};
