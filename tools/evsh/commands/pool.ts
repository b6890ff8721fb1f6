/**
 * Storage pool commands: `pool-list`, `pool-info`, `pool-dumpxml`, `pool-define`,
 * `pool-undefine`, `pool-start`, `pool-destroy`, `pool-autostart`.
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { StoragePool } from "../../../client/objects.ts";
import type { CommandContext, CommandDef } from "../context.ts";
import { field, prettyCapacity } from "../format.ts";
import { poolArg } from "../lookup.ts";
import type { Args } from "../options.ts";
import { formatTable } from "../table.ts";
import { splitList } from "../split_list.ts";
import {
  action,
  actionsOf,
  activityFlags,
  autostartAction,
  bits,
  dumpXML,
  exclusive,
  fromFileAction,
  sortByName,
  yesNo,
} from "./common.ts";

/** `virshStoragePoolStateToString`. */
function poolStateName(state: number): string {
  return ["inactive", "building", "running", "degraded", "inaccessible"][state] ?? "unknown";
}

/** Whether a pool in this state reports sizes (running or degraded). */
function hasSizes(state: number): boolean {
  return state === VIR.STORAGE_POOL_RUNNING || state === VIR.STORAGE_POOL_DEGRADED;
}

const lookup = (ctx: CommandContext, args: Args) => poolArg(ctx, args);

const poolAction = actionsOf<StoragePool>("Pool", lookup, false);

/** The `--type` names (`virStoragePoolType` order) and their list filter. */
const POOL_TYPE_FILTERS: Record<string, number> = {
  dir: VIR.CONNECT_LIST_STORAGE_POOLS_DIR,
  fs: VIR.CONNECT_LIST_STORAGE_POOLS_FS,
  netfs: VIR.CONNECT_LIST_STORAGE_POOLS_NETFS,
  logical: VIR.CONNECT_LIST_STORAGE_POOLS_LOGICAL,
  disk: VIR.CONNECT_LIST_STORAGE_POOLS_DISK,
  iscsi: VIR.CONNECT_LIST_STORAGE_POOLS_ISCSI,
  "iscsi-direct": VIR.CONNECT_LIST_STORAGE_POOLS_ISCSI_DIRECT,
  scsi: VIR.CONNECT_LIST_STORAGE_POOLS_SCSI,
  mpath: VIR.CONNECT_LIST_STORAGE_POOLS_MPATH,
  rbd: VIR.CONNECT_LIST_STORAGE_POOLS_RBD,
  sheepdog: VIR.CONNECT_LIST_STORAGE_POOLS_SHEEPDOG,
  gluster: VIR.CONNECT_LIST_STORAGE_POOLS_GLUSTER,
  zfs: VIR.CONNECT_LIST_STORAGE_POOLS_ZFS,
  vstorage: VIR.CONNECT_LIST_STORAGE_POOLS_VSTORAGE,
};

/** `--type`'s comma-separated pool types as list filters. */
function poolTypeFlags(ctx: CommandContext, args: Args): number {
  const type = ctx.optString(args, "type");
  if (type === undefined) return 0;
  let flags = 0;
  for (const t of splitList(type)) {
    if (!Object.hasOwn(POOL_TYPE_FILTERS, t)) ctx.fail(`Invalid pool type '${t}'`);
    flags |= POOL_TYPE_FILTERS[t];
  }
  return flags;
}

async function listPools(ctx: CommandContext, args: Args): Promise<void> {
  exclusive(ctx, args, "all", "inactive");
  const types = poolTypeFlags(ctx, args);
  exclusive(ctx, args, "details", "uuid");
  exclusive(ctx, args, "details", "name");
  const f = types | activityFlags(
    args,
    VIR.CONNECT_LIST_STORAGE_POOLS_ACTIVE,
    VIR.CONNECT_LIST_STORAGE_POOLS_INACTIVE,
  ) |
    bits(args, [
      ["persistent", VIR.CONNECT_LIST_STORAGE_POOLS_PERSISTENT],
      ["transient", VIR.CONNECT_LIST_STORAGE_POOLS_TRANSIENT],
      ["autostart", VIR.CONNECT_LIST_STORAGE_POOLS_AUTOSTART],
      ["no-autostart", VIR.CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART],
    ]);
  const pools = sortByName(
    await ctx.call(() => ctx.conn.listAllStoragePools(f), "Failed to list pools"),
  );
  if (args.has("name") || args.has("uuid")) {
    for (const p of pools) {
      const cells = [args.has("uuid") && p.uuid.padEnd(36), args.has("name") && p.name.padEnd(20)];
      ctx.print(`${cells.filter((c) => c !== false).join(" ")}\n`);
    }
    return;
  }
  const details = args.has("details");
  const rows: string[][] = [];
  for (const p of pools) {
    const autostart = await ctx.attempt(() => p.getAutostart());
    const autostartText = autostart.ok ? yesNo(autostart.value) : "no autostart";
    if (!details) {
      const active = await ctx.call(() => p.isActive());
      rows.push([p.name, active ? "active" : "inactive", autostartText]);
      continue;
    }
    const info = await ctx.call(() => p.getInfo());
    const persistent = await ctx.attempt(() => p.isPersistent());
    const sizes = hasSizes(info.state)
      ? [info.capacity, info.allocation, info.available].map((b) => prettyCapacity(b))
      : ["-", "-", "-"];
    rows.push([
      p.name,
      poolStateName(info.state),
      autostartText,
      persistent.ok ? yesNo(persistent.value) : "unknown",
      ...sizes,
    ]);
  }
  ctx.print(
    formatTable(
      details
        ? ["Name", "State", "Autostart", "Persistent", "Capacity", "Allocation", "Available"]
        : ["Name", "State", "Autostart"],
      rows,
    ),
  );
}

/** The pool command table. */
export const POOL_COMMANDS: CommandDef[] = [
  {
    name: "pool-list",
    run: listPools,
  },
  {
    name: "pool-info",
    async run(ctx, args) {
      const { obj: p } = await lookup(ctx, args);
      ctx.print(field("Name:", p.name) + field("UUID:", p.uuid));
      const info = await ctx.call(() => p.getInfo());
      ctx.print(field("State:", poolStateName(info.state)));
      const persistent = await ctx.attempt(() => p.isPersistent());
      ctx.print(field("Persistent:", persistent.ok ? yesNo(persistent.value) : "unknown"));
      const autostart = await ctx.attempt(() => p.getAutostart());
      ctx.print(field("Autostart:", autostart.ok ? yesNo(autostart.value) : "no autostart"));
      if (!hasSizes(info.state)) return;
      const size = (n: number) => (args.has("bytes") ? String(n) : prettyCapacity(n));
      ctx.print(field("Capacity:", size(info.capacity)));
      ctx.print(field("Allocation:", size(info.allocation)));
      ctx.print(field("Available:", size(info.available)));
    },
  },
  {
    name: "pool-dumpxml",
    async run(ctx, args) {
      const { obj: p } = await lookup(ctx, args);
      const f = bits(args, [["inactive", VIR.STORAGE_XML_INACTIVE]]);
      await dumpXML(ctx, args, () => p.getXMLDesc(f));
    },
  },
  fromFileAction(
    "pool-define",
    (ctx, xml, args) =>
      ctx.conn.defineStoragePoolXML(
        xml,
        bits(args, [["validate", VIR.STORAGE_POOL_DEFINE_VALIDATE]]),
      ),
    (name, file) => `Pool ${name} defined from ${file}`,
    (file) => `Failed to define pool from ${file}`,
  ),
  {
    name: "pool-create",
    async run(ctx, args) {
      const file = ctx.optString(args, "file")!;
      exclusive(ctx, args, "overwrite", "no-overwrite");
      const flags = bits(args, [
        ["build", VIR.STORAGE_POOL_CREATE_WITH_BUILD],
        ["overwrite", VIR.STORAGE_POOL_CREATE_WITH_BUILD_OVERWRITE],
        ["no-overwrite", VIR.STORAGE_POOL_CREATE_WITH_BUILD_NO_OVERWRITE],
      ]);
      const xml = await ctx.readFile(file);
      const pool = await ctx.call(
        () => ctx.conn.createStoragePoolXML(xml, flags),
        `Failed to create pool from ${file}`,
      );
      ctx.printExtra(`Pool ${pool.name} created from ${file}\n`);
    },
  },
  poolAction("pool-refresh", (p) => p.refresh(0), "refreshed", "refresh"),
  poolAction("pool-delete", (p) => p.delete(0), "deleted", "delete"),
  action({
    name: "pool-build",
    lookup,
    call: (p, args) =>
      p.build(bits(args, [
        ["no-overwrite", VIR.STORAGE_POOL_BUILD_NO_OVERWRITE],
        ["overwrite", VIR.STORAGE_POOL_BUILD_OVERWRITE],
      ])),
    done: (arg) => `Pool ${arg} built`,
    failed: (arg) => `Failed to build pool ${arg}`,
  }),
  poolAction("pool-undefine", (p) => p.undefine(), "has been undefined", "undefine"),
  {
    name: "pool-start",
    async run(ctx, args) {
      const { obj: pool, arg } = await lookup(ctx, args);
      exclusive(ctx, args, "overwrite", "no-overwrite");
      const flags = bits(args, [
        ["build", VIR.STORAGE_POOL_CREATE_WITH_BUILD],
        ["overwrite", VIR.STORAGE_POOL_CREATE_WITH_BUILD_OVERWRITE],
        ["no-overwrite", VIR.STORAGE_POOL_CREATE_WITH_BUILD_NO_OVERWRITE],
      ]);
      await ctx.call(() => pool.create(flags), `Failed to start pool ${arg}`);
      ctx.printExtra(`Pool ${arg} started\n`);
    },
  },
  poolAction("pool-destroy", (p) => p.destroy(), "destroyed", "destroy"),
  autostartAction(
    "pool-autostart",
    lookup,
    (arg) => `Pool ${arg}`,
    (verb, arg) => `failed to ${verb} pool ${arg} as autostarted`,
  ),
];
