/**
 * Node device commands: `nodedev-list` (flat list, optionally by capability) and
 * `nodedev-dumpxml`.
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { CommandDef } from "../context.ts";
import { nodeDeviceArg } from "../lookup.ts";
import { data, flags, sortByName } from "./common.ts";

/** The node device command table. */
export const NODEDEV_COMMANDS: CommandDef[] = [
  {
    name: "nodedev-list",
    options: flags("inactive", "all"),
    async run(ctx, args) {
      // virsh lists active devices unless told otherwise.
      const f = args.has("all")
        ? 0
        : args.has("inactive")
        ? VIR.CONNECT_LIST_NODE_DEVICES_INACTIVE
        : VIR.CONNECT_LIST_NODE_DEVICES_ACTIVE;
      const devs = sortByName(
        await ctx.call(() => ctx.conn.listAllNodeDevices(f), "Failed to list node devices"),
      );
      ctx.print(devs.map((d) => `${d.name}\n`).join(""));
    },
  },
  {
    name: "nodedev-dumpxml",
    options: [data("device")],
    async run(ctx, args) {
      const dev = await nodeDeviceArg(ctx, args);
      ctx.print(await ctx.call(() => dev.getXMLDesc()));
    },
  },
];
