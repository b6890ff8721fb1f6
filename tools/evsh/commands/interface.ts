/**
 * Host interface commands: `iface-list`, `iface-dumpxml`, `iface-mac`, `iface-name`.
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { CommandDef } from "../context.ts";
import { interfaceArg } from "../lookup.ts";
import { formatTable } from "../table.ts";
import {
  action,
  activityFlags,
  bits,
  dumpXML,
  exclusive,
  fromFileAction,
  sortByName,
} from "./common.ts";

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
      await dumpXML(ctx, args, () => i.getXMLDesc(f));
    },
  },
  fromFileAction(
    "iface-define",
    (ctx, xml, args) =>
      ctx.conn.defineInterfaceXML(xml, bits(args, [["validate", VIR.INTERFACE_DEFINE_VALIDATE]])),
    (name, file) => `Interface ${name} defined from ${file}`,
    (file) => `Failed to define interface from ${file}`,
  ),
  action({
    name: "iface-undefine",
    lookup: (ctx, args) => interfaceArg(ctx, args),
    call: (i) => i.undefine(),
    done: (arg) => `Interface ${arg} undefined`,
    failed: (arg) => `Failed to undefine interface ${arg}`,
  }),
  action({
    name: "iface-start",
    lookup: (ctx, args) => interfaceArg(ctx, args),
    call: (i) => i.create(0),
    done: (arg) => `Interface ${arg} started`,
    failed: (arg) => `Failed to start interface ${arg}`,
  }),
  {
    name: "iface-destroy",
    async run(ctx, args) {
      const { obj: i, arg } = await interfaceArg(ctx, args);
      await ctx.call(() => i.destroy(0), `Failed to destroy interface ${arg}`);
      ctx.printExtra(`Interface ${arg} destroyed\n`);
      // virsh 9.0 reports a successful destroy as a failure.
      return false;
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
