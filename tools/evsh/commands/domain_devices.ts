/**
 * Device commands: `attach-device`, `detach-device`, `update-device`, `detach-device-alias`,
 * `update-memory-device`, `set-lifecycle-action`.
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { Domain } from "../../../client/domain.ts";
import { parseXML } from "../xml_parse.ts";
import { LIFECYCLE_ACTIONS } from "../../../conf/domain/names.ts";
import type { CommandContext, CommandDef } from "../context.ts";
import { domainArg } from "../lookup.ts";
import type { Args } from "../options.ts";
import { dumpNode, xpathDocument, xpathNodes } from "../xpath.ts";
import { exclusive } from "./common.ts";

const LIFECYCLE_TYPES = ["poweroff", "reboot", "crash"];

/**
 * The `--persistent/--current/--live/--config` flags of the device commands, checked before
 * the domain is looked up.
 */
export function deviceFlags(ctx: CommandContext, args: Args): number {
  exclusive(ctx, args, "persistent", "current");
  exclusive(ctx, args, "current", "live");
  exclusive(ctx, args, "current", "config");
  return (args.has("config") || args.has("persistent") ? VIR.DOMAIN_AFFECT_CONFIG : 0) |
    (args.has("live") ? VIR.DOMAIN_AFFECT_LIVE : 0);
}

/** `--persistent` on a running domain also means live. */
export async function persistentLive(
  ctx: CommandContext,
  args: Args,
  dom: Domain,
): Promise<number> {
  if (!args.has("persistent")) return 0;
  const r = await ctx.attempt(() => dom.isActive());
  return r.ok && r.value ? VIR.DOMAIN_AFFECT_LIVE : 0;
}

/** `attach-device` and `detach-device`: the flags API unless no flag is asked for at all. */
function attachDetach(name: string, verb: "attach" | "detach"): CommandDef {
  return {
    name,
    async run(ctx, args) {
      let flags = deviceFlags(ctx, args);
      const { obj: dom } = await domainArg(ctx, args);
      // virsh reads --file before the activity check on attach, after it on detach.
      let file = verb === "attach" ? ctx.optString(args, "file")! : "";
      flags |= await persistentLive(ctx, args, dom);
      if (verb === "detach") file = ctx.optString(args, "file")!;
      const xml = await ctx.readFile(file);
      const withFlags = flags !== 0 || args.has("current");
      await ctx.call(
        () =>
          verb === "attach"
            ? withFlags ? dom.attachDeviceFlags(xml, flags) : dom.attachDevice(xml)
            : withFlags
            ? dom.detachDeviceFlags(xml, flags)
            : dom.detachDevice(xml),
        `Failed to ${verb} device from ${file}`,
      );
      ctx.printExtra(`Device ${verb}ed successfully\n`);
    },
  };
}

/** `virshGetUpdatedMemoryXML`'s pick of one `<memory>` device, by its XPath queries. */
async function memoryDevice(ctx: CommandContext, args: Args, xml: string) {
  const doc = xpathDocument(await parseXML(xml), true);
  const alias = ctx.optString(args, "alias");
  const node = ctx.optInt(args, "node", "uip");
  const xpath = args.has("node")
    ? `/domain/devices/memory[./target/node='${node}']`
    : alias !== undefined
    ? `/domain/devices/memory[./alias/@name='${alias}']`
    : "/domain/devices/memory";
  const mems = xpathNodes(doc, xpath);
  if (!mems.length) ctx.fail("no memory device found");
  if (mems.length > 1) {
    ctx.fail("multiple memory devices found, use --alias or --node to select one");
  }
  return { doc, mem: mems[0] };
}

/** The device command table. */
export const DOMAIN_DEVICES_COMMANDS: CommandDef[] = [
  attachDetach("attach-device", "attach"),
  attachDetach("detach-device", "detach"),
  {
    name: "update-device",
    async run(ctx, args) {
      let flags = deviceFlags(ctx, args);
      const { obj: dom } = await domainArg(ctx, args);
      const file = ctx.optString(args, "file")!;
      flags |= await persistentLive(ctx, args, dom);
      const xml = await ctx.readFile(file);
      if (args.has("force")) flags |= VIR.DOMAIN_DEVICE_MODIFY_FORCE;
      await ctx.call(
        () => ctx.conn.call("domainUpdateDeviceFlags", dom.ref, xml, flags),
        `Failed to update device from ${file}`,
      );
      ctx.printExtra("Device updated successfully\n");
    },
  },
  {
    name: "detach-device-alias",
    async run(ctx, args) {
      exclusive(ctx, args, "current", "live");
      exclusive(ctx, args, "current", "config");
      const flags = (args.has("config") ? VIR.DOMAIN_AFFECT_CONFIG : 0) |
        (args.has("live") ? VIR.DOMAIN_AFFECT_LIVE : 0);
      const { obj: dom } = await domainArg(ctx, args);
      const alias = ctx.optString(args, "alias")!;
      await ctx.call(
        () => dom.detachDeviceAlias(alias, flags),
        `Failed to detach device with alias ${alias}`,
      );
      ctx.printExtra("Device detach request sent successfully\n");
    },
  },
  {
    name: "update-memory-device",
    async run(ctx, args) {
      exclusive(ctx, args, "current", "live");
      exclusive(ctx, args, "current", "config");
      exclusive(ctx, args, "node", "alias");
      const flags = (args.has("config") ? VIR.DOMAIN_AFFECT_CONFIG : 0) |
        (args.has("live") ? VIR.DOMAIN_AFFECT_LIVE : 0);
      const { obj: dom } = await domainArg(ctx, args);
      const xml = await ctx.call(() =>
        dom.getXMLDesc(flags & VIR.DOMAIN_AFFECT_CONFIG ? VIR.DOMAIN_XML_INACTIVE : 0)
      );
      const { doc, mem } = await memoryDevice(ctx, args, xml);
      if (args.has("requested-size")) {
        const bytes = ctx.optScaled(args, "requested-size", 1024, (1n << 64n) - 1n)!;
        const [requested] = xpathNodes(doc, "./target/requested", mem);
        if (!requested || requested.kind !== "element") {
          return ctx.fail("virtio-mem device is missing <requested/>");
        }
        requested.children = [{
          kind: "text",
          order: 0,
          text: String(Math.ceil(bytes / 1024)),
          parent: requested,
        }];
      }
      const updated = dumpNode(mem);
      if (args.has("print-xml")) {
        ctx.print(updated);
        return;
      }
      await ctx.call(() => ctx.conn.call("domainUpdateDeviceFlags", dom.ref, updated, flags));
    },
  },
  {
    name: "set-lifecycle-action",
    async run(ctx, args) {
      exclusive(ctx, args, "current", "live");
      exclusive(ctx, args, "current", "config");
      const flags = (args.has("config") ? VIR.DOMAIN_AFFECT_CONFIG : 0) |
        (args.has("live") ? VIR.DOMAIN_AFFECT_LIVE : 0);
      const typeStr = ctx.optString(args, "type")!;
      const actionStr = ctx.optString(args, "action")!;
      const type = LIFECYCLE_TYPES.indexOf(typeStr);
      if (type < 0) ctx.fail(`Invalid lifecycle type '${typeStr}'.`);
      const action = LIFECYCLE_ACTIONS.indexOf(actionStr);
      if (action < 0) ctx.fail(`Invalid lifecycle action '${actionStr}'.`);
      const { obj: dom } = await domainArg(ctx, args);
      await ctx.call(
        () => ctx.conn.call("domainSetLifecycleAction", dom.ref, type, action, flags),
        "Unable to change lifecycle action.",
      );
    },
  },
];
