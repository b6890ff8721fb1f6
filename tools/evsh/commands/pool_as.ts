/**
 * Storage pools from options and pool/volume naming: `pool-define-as`, `pool-create-as`,
 * `find-storage-pool-sources-as`, `find-storage-pool-sources`, `pool-name`, `pool-uuid`,
 * `vol-name`, `vol-pool`.
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { StoragePool, StorageVolume } from "../../../client/objects.ts";
import type { CommandContext, CommandDef } from "../context.ts";
import type { Args } from "../options.ts";
import { exclusive } from "./common.ts";

const POOL_OPTIONS = [
  "source-host",
  "source-path",
  "source-dev",
  "source-name",
  "source-format",
  "target",
  "auth-type",
  "auth-username",
  "secret-usage",
  "secret-uuid",
  "adapter-name",
  "adapter-wwnn",
  "adapter-wwpn",
  "adapter-parent",
  "adapter-parent-wwnn",
  "adapter-parent-wwpn",
  "adapter-parent-fabric-wwn",
  "source-protocol-ver",
  "source-initiator",
] as const;

/** `virshBuildPoolXML`: the pool document the options describe, and its name. */
function buildPoolXML(ctx: CommandContext, args: Args): { name: string; xml: string } {
  exclusive(ctx, args, "secret-usage", "secret-uuid");
  const name = ctx.optString(args, "name")!;
  const type = ctx.optString(args, "type")!;
  const o = Object.fromEntries(POOL_OPTIONS.map((k) => [k, ctx.optString(args, k)])) as Record<
    (typeof POOL_OPTIONS)[number],
    string | undefined
  >;
  let xml = `<pool type='${type}'>\n  <name>${name}</name>\n`;
  const wwn = o["adapter-wwnn"] && o["adapter-wwpn"];
  if (
    o["source-host"] || o["source-path"] || o["source-dev"] || o["source-initiator"] ||
    o["source-format"] || o["source-name"] || wwn || o["adapter-name"]
  ) {
    xml += "  <source>\n";
    if (o["source-host"]) xml += `    <host name='${o["source-host"]}'/>\n`;
    if (o["source-path"]) xml += `    <dir path='${o["source-path"]}'/>\n`;
    if (o["source-dev"]) xml += `    <device path='${o["source-dev"]}'/>\n`;
    if (o["source-initiator"]) {
      xml += `    <initiator>\n      <iqn name='${o["source-initiator"]}'/>\n    </initiator>\n`;
    }
    if (wwn) {
      let parent = "";
      if (o["adapter-parent"]) parent = ` parent='${o["adapter-parent"]}'`;
      else if (o["adapter-parent-wwnn"] && o["adapter-parent-wwpn"]) {
        parent = ` parent_wwnn='${o["adapter-parent-wwnn"]}' parent_wwpn='${
          o["adapter-parent-wwpn"]
        }'`;
      } else if (o["adapter-parent-fabric-wwn"]) {
        parent = ` parent_fabric_wwn='${o["adapter-parent-fabric-wwn"]}'`;
      }
      xml += `    <adapter type='fc_host'${parent} wwnn='${o["adapter-wwnn"]}' wwpn='${
        o["adapter-wwpn"]
      }'/>\n`;
    } else if (o["adapter-name"]) {
      xml += `    <adapter type='scsi_host' name='${o["adapter-name"]}'/>\n`;
    }
    if (o["auth-type"] && o["auth-username"] && (o["secret-usage"] || o["secret-uuid"])) {
      xml += `    <auth type='${o["auth-type"]}' username='${o["auth-username"]}'>\n`;
      xml += o["secret-usage"]
        ? `      <secret usage='${o["secret-usage"]}'/>\n`
        : `      <secret uuid='${o["secret-uuid"]}'/>\n`;
      xml += "    </auth>\n";
    }
    if (o["source-format"]) xml += `    <format type='${o["source-format"]}'/>\n`;
    if (o["source-name"]) xml += `    <name>${o["source-name"]}</name>\n`;
    if (o["source-protocol-ver"]) xml += `    <protocol ver='${o["source-protocol-ver"]}'/>\n`;
    xml += "  </source>\n";
  }
  if (o.target) xml += `  <target>\n    <path>${o.target}</path>\n  </target>\n`;
  return { name, xml: xml + "</pool>\n" };
}

/** `virshCommandOptPoolBy` with one way of naming the pool. */
async function poolBy(
  ctx: CommandContext,
  args: Args,
  by: "uuid" | "name",
): Promise<StoragePool> {
  const arg = ctx.optString(args, "pool") ?? "";
  let pool: StoragePool | undefined;
  if (by === "uuid" && arg.length === 36) {
    const r = await ctx.attempt(() => ctx.conn.lookupStoragePoolByUUID(arg));
    if (r.ok) pool = r.value;
  } else if (by === "name") {
    const r = await ctx.attempt(() => ctx.conn.lookupStoragePoolByName(arg));
    if (r.ok) pool = r.value;
  }
  if (!pool) return ctx.fail(`failed to get pool '${arg}'`);
  return pool;
}

/** `virshCommandOptVolBy` without a pool option: by key, then by path. */
async function volumeByKeyOrPath(ctx: CommandContext, args: Args): Promise<StorageVolume> {
  const arg = ctx.optString(args, "vol") ?? "";
  for (const lookup of [ctx.conn.lookupStorageVolByKey, ctx.conn.lookupStorageVolByPath]) {
    const r = await ctx.attempt(() => lookup.call(ctx.conn, arg));
    if (r.ok) {
      ctx.resetError();
      return r.value;
    }
  }
  return ctx.fail(`failed to get vol '${arg}'`);
}

async function discover(ctx: CommandContext, type: string, spec: string | null): Promise<void> {
  const list = await ctx.call(
    () => ctx.conn.findStoragePoolSources(type, spec, 0),
    `Failed to find any ${type} pool sources`,
  );
  ctx.print(list);
}

/** The pool-from-options and naming command table. */
export const POOL_AS_COMMANDS: CommandDef[] = [
  {
    name: "pool-define-as",
    async run(ctx, args) {
      const { name, xml } = buildPoolXML(ctx, args);
      if (args.has("print-xml")) return ctx.print(xml);
      await ctx.call(() => ctx.conn.defineStoragePoolXML(xml, 0), `Failed to define pool ${name}`);
      ctx.printExtra(`Pool ${name} defined\n`);
    },
  },
  {
    name: "pool-create-as",
    async run(ctx, args) {
      exclusive(ctx, args, "overwrite", "no-overwrite");
      let flags = 0;
      if (args.has("build")) flags |= VIR.STORAGE_POOL_CREATE_WITH_BUILD;
      if (args.has("overwrite")) flags |= VIR.STORAGE_POOL_CREATE_WITH_BUILD_OVERWRITE;
      if (args.has("no-overwrite")) flags |= VIR.STORAGE_POOL_CREATE_WITH_BUILD_NO_OVERWRITE;
      const { name, xml } = buildPoolXML(ctx, args);
      if (args.has("print-xml")) return ctx.print(xml);
      await ctx.call(
        () => ctx.conn.createStoragePoolXML(xml, flags),
        `Failed to create pool ${name}`,
      );
      ctx.printExtra(`Pool ${name} created\n`);
    },
  },
  {
    name: "find-storage-pool-sources-as",
    async run(ctx, args) {
      const type = ctx.optString(args, "type")!;
      const host = ctx.optString(args, "host");
      const initiator = ctx.optString(args, "initiator");
      let spec: string | null = null;
      if (host !== undefined) {
        if (ctx.optStringQuiet(args, "port") === null) {
          ctx.error(`Failed to get option 'port': Option argument is empty`);
          ctx.fail("missing argument");
        }
        const port = ctx.optString(args, "port");
        spec = `<source>\n  <host name='${host}'${port !== undefined ? ` port='${port}'` : ""}/>\n`;
        if (initiator !== undefined) {
          spec += `  <initiator>\n    <iqn name='${initiator}'/>\n  </initiator>\n`;
        }
        spec += "</source>\n";
      }
      await discover(ctx, type, spec);
    },
  },
  {
    name: "find-storage-pool-sources",
    async run(ctx, args) {
      const type = ctx.optString(args, "type")!;
      const file = ctx.optString(args, "srcSpec");
      const spec = file === undefined ? null : await ctx.readFile(file);
      await discover(ctx, type, spec);
    },
  },
  {
    name: "pool-name",
    async run(ctx, args) {
      ctx.print(`${(await poolBy(ctx, args, "uuid")).name}\n`);
    },
  },
  {
    name: "pool-uuid",
    async run(ctx, args) {
      ctx.print(`${(await poolBy(ctx, args, "name")).uuid}\n`);
    },
  },
  {
    name: "vol-name",
    async run(ctx, args) {
      ctx.print(`${(await volumeByKeyOrPath(ctx, args)).name}\n`);
    },
  },
  {
    name: "vol-pool",
    async run(ctx, args) {
      const vol = await volumeByKeyOrPath(ctx, args);
      const pool = await ctx.call(
        () => ctx.conn.lookupStoragePoolByVolume(vol),
        "failed to get parent pool",
      );
      ctx.print(`${args.has("uuid") ? pool.uuid : pool.name}\n`);
    },
  },
];
