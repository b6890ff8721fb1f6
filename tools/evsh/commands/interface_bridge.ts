/**
 * Bridging host interfaces: `iface-bridge`, `iface-unbridge`, up to virsh's checks of the
 * existing definition; writing the new definitions is refused, not yet implemented in evsh.
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { Interface } from "../../../client/objects.ts";
import { VirError } from "../../../util/errors.ts";
import { parseXML } from "../xml_parse.ts";
import type { CommandContext, CommandDef } from "../context.ts";
import { interfaceArg } from "../lookup.ts";

const NOT_YET = "evsh does not rewrite interface definitions into bridges yet";

/** The inactive definition's root attributes, as virsh parses them. */
async function definition(
  ctx: CommandContext,
  iface: Interface,
  name: string,
  context: string,
): Promise<Record<string, string>> {
  const xml = await ctx.call(() => iface.getXMLDesc(VIR.INTERFACE_XML_INACTIVE));
  try {
    return (await parseXML(xml, { context })).attributes;
  } catch (e) {
    if (!(e instanceof VirError)) throw e;
    ctx.lastError = e;
    return ctx.fail(`Failed to parse configuration of ${name}`);
  }
}

/** The bridging command table. */
export const INTERFACE_BRIDGE_COMMANDS: CommandDef[] = [
  {
    name: "iface-bridge",
    async run(ctx, args) {
      ctx.optString(args, "interface");
      const { obj: iface, arg: name } = await interfaceArg(ctx, args, { name: true });
      const bridge = ctx.optString(args, "bridge")!;
      const existing = await ctx.attempt(() => ctx.conn.lookupInterfaceByName(bridge));
      if (existing.ok) ctx.fail(`Network device ${bridge} already exists`);
      ctx.optInt(args, "delay", "uip");
      const attrs = await definition(ctx, iface, name, "(interface definition)");
      if (attrs.type === undefined) ctx.fail(`Existing device ${name} has no type`);
      if (attrs.type === "bridge") ctx.fail(`Existing device ${name} is already a bridge`);
      if (attrs.name !== name) {
        ctx.fail(
          `Interface name from config ${attrs.name ?? "(null)"} doesn't match given ` +
            `supplied name ${name}`,
        );
      }
      ctx.fail(NOT_YET);
    },
  },
  {
    name: "iface-unbridge",
    async run(ctx, args) {
      ctx.optString(args, "bridge");
      const { obj: bridge, arg: name } = await interfaceArg(ctx, args, { name: true }, "bridge");
      const attrs = await definition(ctx, bridge, name, "(bridge interface definition)");
      if (attrs.type === undefined) ctx.fail(`Existing device ${name} has no type`);
      if (attrs.type !== "bridge") ctx.fail(`Device ${name} is not a bridge`);
      ctx.fail(NOT_YET);
    },
  },
];
