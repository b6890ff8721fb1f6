/**
 * Host interface commands: `iface-list`, `iface-dumpxml`, `iface-mac`, `iface-name`.
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { CommandDef } from "../context.ts";
import { interfaceArg } from "../lookup.ts";
import { formatTable } from "../table.ts";
import { activityFlags, bits, exclusive, sortByName } from "./common.ts";

/** The interface command table. */
export const INTERFACE_COMMANDS: CommandDef[] = [
  {
    name: "iface-list",
    async run(ctx, args) {
      exclusive(ctx, args, "all", "inactive");
      const f = activityFlags(
        args,
        VIR.CONNECT_LIST_INTERFACES_ACTIVE,
        VIR.CONNECT_LIST_INTERFACES_INACTIVE,
      );
      const ifaces = sortByName(
        await ctx.call(() => ctx.conn.listAllInterfaces(f), "Failed to list interfaces"),
      );
      const rows: string[][] = [];
      for (const i of ifaces) {
        rows.push([i.name, (await ctx.call(() => i.isActive())) ? "active" : "inactive", i.mac]);
      }
      ctx.print(formatTable(["Name", "State", "MAC Address"], rows));
    },
  },
  {
    name: "iface-dumpxml",
    async run(ctx, args) {
      const { obj: i } = await interfaceArg(ctx, args);
      const f = bits(args, [["inactive", VIR.INTERFACE_XML_INACTIVE]]);
      ctx.print(await ctx.call(() => i.getXMLDesc(f)));
    },
  },
  {
    name: "iface-mac",
    async run(ctx, args) {
      ctx.print(`${(await interfaceArg(ctx, args, { name: true })).obj.mac}\n`);
    },
  },
  {
    name: "iface-name",
    async run(ctx, args) {
      ctx.print(`${(await interfaceArg(ctx, args, { mac: true })).obj.name}\n`);
    },
  },
];
