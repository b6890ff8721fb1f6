/**
 * Storage volume commands: `vol-list`, `vol-info`, `vol-dumpxml`, `vol-create`, `vol-delete`,
 * `vol-path`.
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { CommandDef } from "../context.ts";
import { field, prettyCapacity } from "../format.ts";
import { poolArg, volumeArg } from "../lookup.ts";
import { formatTable } from "../table.ts";
import { action, bits, dumpXML, sortByName } from "./common.ts";

/** `virshVolumeTypeToString`. */
function volTypeName(type: number): string {
  return ["file", "block", "dir", "network", "netdir", "ploop"][type] ?? "unknown";
}

/** The volume command table. */
export const VOLUME_COMMANDS: CommandDef[] = [
  {
    name: "vol-key",
    async run(ctx, args) {
      ctx.print(`${(await volumeArg(ctx, args)).obj.key}\n`);
    },
  },
  {
    name: "vol-list",
    async run(ctx, args) {
      const { obj: pool } = await poolArg(ctx, args);
      const vols = sortByName(
        await ctx.call(() => pool.listAllVolumes(), "Failed to list volumes"),
      );
      const rows: string[][] = [];
      for (const v of vols) {
        const path = await ctx.call(() => v.getPath());
        if (!args.has("details")) {
          rows.push([v.name, path]);
          continue;
        }
        const info = await ctx.call(() => v.getInfo());
        rows.push([
          v.name,
          path,
          volTypeName(info.type),
          prettyCapacity(info.capacity),
          prettyCapacity(info.allocation),
        ]);
      }
      const header = args.has("details")
        ? ["Name", "Path", "Type", "Capacity", "Allocation"]
        : ["Name", "Path"];
      ctx.print(formatTable(header, rows));
    },
  },
  {
    name: "vol-info",
    async run(ctx, args) {
      const bytes = args.has("bytes");
      const physical = args.has("physical");
      const { obj: v } = await volumeArg(ctx, args);
      ctx.print(field("Name:", v.name));
      const info = await ctx.call(() =>
        physical
          ? ctx.conn.call("storageVolGetInfoFlags", v.ref, VIR.STORAGE_VOL_GET_PHYSICAL)
          : v.getInfo()
      );
      ctx.print(field("Type:", volTypeName(info.type)));
      const size = (n: number) => (bytes ? `${n} bytes` : prettyCapacity(n));
      ctx.print(field("Capacity:", size(info.capacity)));
      ctx.print(field(physical ? "Physical:" : "Allocation:", size(info.allocation)));
    },
  },
  {
    name: "vol-path",
    async run(ctx, args) {
      const { obj: v } = await volumeArg(ctx, args);
      ctx.print(`${await ctx.call(() => v.getPath())}\n`);
    },
  },
  {
    name: "vol-dumpxml",
    async run(ctx, args) {
      const { obj: v } = await volumeArg(ctx, args);
      await dumpXML(ctx, args, () => v.getXMLDesc());
    },
  },
  {
    name: "vol-create",
    async run(ctx, args) {
      const { obj: pool } = await poolArg(ctx, args);
      const file = args.string("file")!;
      const xml = await ctx.readFile(file);
      const f = bits(args, [
        ["prealloc-metadata", VIR.STORAGE_VOL_CREATE_PREALLOC_METADATA],
        ["validate", VIR.STORAGE_VOL_CREATE_VALIDATE],
      ]);
      const vol = await ctx.call(
        () => pool.createVolumeXML(xml, f),
        `Failed to create vol from ${file}`,
      );
      ctx.print(`Vol ${vol.name} created from ${file}\n`);
    },
  },
  action({
    name: "vol-delete",
    lookup: volumeArg,
    call: (v, args) =>
      v.delete(bits(args, [["delete-snapshots", VIR.STORAGE_VOL_DELETE_WITH_SNAPSHOTS]])),
    done: (arg) => `Vol ${arg} deleted`,
    failed: (arg) => `Failed to delete vol ${arg}`,
  }),
];
