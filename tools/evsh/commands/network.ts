/**
 * Virtual network commands: `net-list`, `net-info`, `net-dumpxml`, `net-define`,
 * `net-undefine`, `net-start`, `net-destroy`, `net-autostart`, `net-uuid`, `net-name`.
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { Network } from "../../../client/objects.ts";
import type { CommandContext, CommandDef } from "../context.ts";
import { field } from "../format.ts";
import { networkArg } from "../lookup.ts";
import type { Args } from "../options.ts";
import { formatTable } from "../table.ts";
import {
  actionsOf,
  activityFlags,
  autostartAction,
  bits,
  dumpXML,
  fromFileAction,
  sortByName,
  yesNo,
} from "./common.ts";

const lookup = (ctx: CommandContext, args: Args) => networkArg(ctx, args);

const networkAction = actionsOf<Network>("Network", lookup, false);

/** The network command table. */
export const NETWORK_COMMANDS: CommandDef[] = [
  {
    name: "net-list",
    async run(ctx, args) {
      if (["table", "name", "uuid"].filter((o) => args.has(o)).length > 1) {
        ctx.fail("Only one argument from --table, --name and --uuid may be specified.");
      }
      const f =
        activityFlags(args, VIR.CONNECT_LIST_NETWORKS_ACTIVE, VIR.CONNECT_LIST_NETWORKS_INACTIVE) |
        bits(args, [
          ["persistent", VIR.CONNECT_LIST_NETWORKS_PERSISTENT],
          ["transient", VIR.CONNECT_LIST_NETWORKS_TRANSIENT],
          ["autostart", VIR.CONNECT_LIST_NETWORKS_AUTOSTART],
          ["no-autostart", VIR.CONNECT_LIST_NETWORKS_NO_AUTOSTART],
        ]);
      const nets = sortByName(
        await ctx.call(() => ctx.conn.listAllNetworks(f), "Failed to list networks"),
      );
      if (args.has("name") || args.has("uuid")) {
        for (const n of nets) ctx.print(`${args.has("name") ? n.name : n.uuid}\n`);
        return;
      }
      const rows: string[][] = [];
      for (const n of nets) {
        const autostart = await ctx.attempt(() => n.getAutostart());
        rows.push([
          n.name,
          (await ctx.call(() => n.isActive())) ? "active" : "inactive",
          autostart.ok ? yesNo(autostart.value) : "-",
          yesNo(await ctx.call(() => n.isPersistent())),
        ]);
      }
      ctx.print(formatTable(["Name", "State", "Autostart", "Persistent"], rows));
    },
  },
  {
    name: "net-info",
    async run(ctx, args) {
      const { obj: n } = await lookup(ctx, args);
      ctx.print(field("Name:", n.name) + field("UUID:", n.uuid));
      const active = await ctx.attempt(() => n.isActive());
      if (active.ok) ctx.print(field("Active:", yesNo(active.value)));
      const persistent = await ctx.attempt(() => n.isPersistent());
      ctx.print(field("Persistent:", persistent.ok ? yesNo(persistent.value) : "unknown"));
      const autostart = await ctx.attempt(() => n.getAutostart());
      ctx.print(field("Autostart:", autostart.ok ? yesNo(autostart.value) : "no autostart"));
      const bridge = await ctx.attempt(() => n.getBridgeName());
      if (bridge.ok) ctx.print(field("Bridge:", bridge.value));
    },
  },
  {
    name: "net-dumpxml",
    async run(ctx, args) {
      const { obj: n } = await lookup(ctx, args);
      const f = bits(args, [["inactive", VIR.NETWORK_XML_INACTIVE]]);
      await dumpXML(ctx, args, () => n.getXMLDesc(f));
    },
  },
  fromFileAction(
    "net-define",
    (ctx, xml, args) =>
      ctx.conn.defineNetworkXMLFlags(xml, bits(args, [["validate", VIR.NETWORK_DEFINE_VALIDATE]])),
    (name, file) => `Network ${name} defined from ${file}`,
    (file) => `Failed to define network from ${file}`,
  ),
  fromFileAction(
    "net-create",
    (ctx, xml, args) =>
      ctx.conn.createNetworkXML(xml, bits(args, [["validate", VIR.NETWORK_CREATE_VALIDATE]])),
    (name, file) => `Network ${name} created from ${file}`,
    (file) => `Failed to create network from ${file}`,
  ),
  networkAction("net-undefine", (n) => n.undefine(), "has been undefined", "undefine"),
  networkAction("net-start", (n) => n.create(), "started", "start"),
  networkAction("net-destroy", (n) => n.destroy(), "destroyed", "destroy"),
  autostartAction(
    "net-autostart",
    lookup,
    (arg) => `Network ${arg}`,
    (verb, arg) => `failed to ${verb} network ${arg} as autostarted`,
  ),
  {
    name: "net-uuid",
    async run(ctx, args) {
      ctx.print(`${(await networkArg(ctx, args, { name: true })).obj.uuid}\n`);
    },
  },
  {
    name: "net-name",
    async run(ctx, args) {
      ctx.print(`${(await networkArg(ctx, args, { uuid: true })).obj.name}\n`);
    },
  },
];
