/**
 * Node device commands: `nodedev-list` (flat, by capability, or as a tree), `nodedev-dumpxml`,
 * the lifecycle commands and the PCI ones (`nodedev-detach`, `nodedev-reattach`,
 * `nodedev-reset`).
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { NodeDevice } from "../../../client/objects.ts";
import { type CommandContext, type CommandDef, CommandFailed } from "../context.ts";
import { field } from "../format.ts";
import type { Args } from "../options.ts";
import { nodeDeviceArg } from "../lookup.ts";
import { formatTree } from "../tree.ts";
import { splitList } from "../split_list.ts";
import { bits, dumpXML, sortByName, yesNo } from "./common.ts";

/** `virNodeDevCapType` names and the listing filter bit each selects. */
const CAPS: ReadonlyMap<string, number> = new Map([
  ["system", VIR.CONNECT_LIST_NODE_DEVICES_CAP_SYSTEM],
  ["pci", VIR.CONNECT_LIST_NODE_DEVICES_CAP_PCI_DEV],
  ["usb_device", VIR.CONNECT_LIST_NODE_DEVICES_CAP_USB_DEV],
  ["usb", VIR.CONNECT_LIST_NODE_DEVICES_CAP_USB_INTERFACE],
  ["net", VIR.CONNECT_LIST_NODE_DEVICES_CAP_NET],
  ["scsi_host", VIR.CONNECT_LIST_NODE_DEVICES_CAP_SCSI_HOST],
  ["scsi_target", VIR.CONNECT_LIST_NODE_DEVICES_CAP_SCSI_TARGET],
  ["scsi", VIR.CONNECT_LIST_NODE_DEVICES_CAP_SCSI],
  ["storage", VIR.CONNECT_LIST_NODE_DEVICES_CAP_STORAGE],
  ["fc_host", VIR.CONNECT_LIST_NODE_DEVICES_CAP_FC_HOST],
  ["vports", VIR.CONNECT_LIST_NODE_DEVICES_CAP_VPORTS],
  ["scsi_generic", VIR.CONNECT_LIST_NODE_DEVICES_CAP_SCSI_GENERIC],
  ["drm", VIR.CONNECT_LIST_NODE_DEVICES_CAP_DRM],
  ["mdev_types", VIR.CONNECT_LIST_NODE_DEVICES_CAP_MDEV_TYPES],
  ["mdev", VIR.CONNECT_LIST_NODE_DEVICES_CAP_MDEV],
  ["ccw", VIR.CONNECT_LIST_NODE_DEVICES_CAP_CCW_DEV],
  ["css", VIR.CONNECT_LIST_NODE_DEVICES_CAP_CSS_DEV],
  ["vdpa", VIR.CONNECT_LIST_NODE_DEVICES_CAP_VDPA],
  ["ap_card", VIR.CONNECT_LIST_NODE_DEVICES_CAP_AP_CARD],
  ["ap_queue", VIR.CONNECT_LIST_NODE_DEVICES_CAP_AP_QUEUE],
  ["ap_matrix", VIR.CONNECT_LIST_NODE_DEVICES_CAP_AP_MATRIX],
  ["vpd", VIR.CONNECT_LIST_NODE_DEVICES_CAP_VPD],
]);

/** The node device command table. */
export const NODEDEV_COMMANDS: CommandDef[] = [
  {
    name: "nodedev-list",
    async run(ctx, args) {
      const tree = args.has("tree");
      const inactive = args.has("inactive");
      // An empty --cap is no --cap (vshCommandOptString without VSH_OFLAG_EMPTY_OK).
      const cap = args.string("cap") || undefined;
      if (inactive && args.has("all")) ctx.fail("Option --all is incompatible with --inactive");
      if (tree && (cap !== undefined || inactive)) {
        ctx.fail("Option --tree is incompatible with --cap and --inactive");
      }
      let f = 0;
      for (const name of cap === undefined ? [] : splitList(cap)) {
        const bit = CAPS.get(name);
        if (bit === undefined) return ctx.fail("Invalid capability type");
        f |= bit;
      }
      if (!inactive) f |= VIR.CONNECT_LIST_NODE_DEVICES_ACTIVE;
      if (inactive || args.has("all")) f |= VIR.CONNECT_LIST_NODE_DEVICES_INACTIVE;
      const devs = sortByName(
        await ctx.call(() => ctx.conn.listAllNodeDevices(f), "Failed to list node devices"),
      );
      const names = devs.map((d) => d.name);
      if (!tree) return ctx.print(names.map((n) => `${n}\n`).join(""));
      // "computer" is the root by definition; virsh does not ask for its parent.
      const parents = await Promise.all(
        devs.map(async (d) =>
          d.name === "computer" ? undefined : (await ctx.call(() => d.getParent())) ?? undefined
        ),
      );
      for (let i = 0; i < names.length; i++) {
        if (parents[i] === undefined) ctx.print(formatTree(names, parents, i));
      }
    },
  },
  {
    name: "nodedev-dumpxml",
    async run(ctx, args) {
      ctx.optString(args, "device");
      // virsh checks --xpath before looking the device up.
      if (ctx.optStringQuiet(args, "xpath") === null) throw new CommandFailed();
      const dev = await nodeDeviceArg(ctx, args);
      await dumpXML(ctx, args, () => dev.getXMLDesc());
    },
  },
  {
    name: "nodedev-destroy",
    async run(ctx, args) {
      const { dev, arg } = await deviceArg(ctx, args);
      await ctx.call(() => dev.destroy(), `Failed to destroy node device '${arg}'`);
      ctx.printExtra(`Destroyed node device '${arg}'\n`);
    },
  },
  {
    name: "nodedev-detach",
    async run(ctx, args) {
      const arg = ctx.optString(args, "device")!;
      const driver = ctx.optStringQuiet(args, "driver");
      const dev = await nodeDeviceArg(ctx, args);
      // Only a driver name needs the newer call; the old one is misspelled in libvirt's API.
      await ctx.call(
        () => driver ? dev.detachFlags(driver, 0) : dev.dettach(),
        `Failed to detach device ${arg}`,
      );
      ctx.printExtra(`Device ${arg} detached\n`);
    },
  },
  {
    name: "nodedev-reattach",
    async run(ctx, args) {
      const { dev, arg } = await deviceArg(ctx, args);
      await ctx.call(() => dev.reAttach(), `Failed to re-attach device ${arg}`);
      ctx.printExtra(`Device ${arg} re-attached\n`);
    },
  },
  {
    name: "nodedev-reset",
    async run(ctx, args) {
      const { dev, arg } = await deviceArg(ctx, args);
      await ctx.call(() => dev.reset(), `Failed to reset device ${arg}`);
      ctx.printExtra(`Device ${arg} reset\n`);
    },
  },
  {
    name: "nodedev-create",
    async run(ctx, args) {
      const file = ctx.optString(args, "file")!;
      const xml = await ctx.readFile(file);
      const f = bits(args, [["validate", VIR.NODE_DEVICE_CREATE_XML_VALIDATE]]);
      const dev = await ctx.call(
        () => ctx.conn.createNodeDeviceXML(xml, f),
        `Failed to create node device from ${file}`,
      );
      ctx.printExtra(`Node device ${dev.name} created from ${file}\n`);
    },
  },
  {
    name: "nodedev-define",
    async run(ctx, args) {
      const file = ctx.optString(args, "file")!;
      const xml = await ctx.readFile(file);
      const f = bits(args, [["validate", VIR.NODE_DEVICE_DEFINE_XML_VALIDATE]]);
      const ref = await ctx.call(
        () => ctx.conn.call("nodeDeviceDefineXML", xml, f),
        `Failed to define node device from '${file}'`,
      );
      ctx.printExtra(`Node device '${ref.name}' defined from '${file}'\n`);
    },
  },
  {
    name: "nodedev-undefine",
    async run(ctx, args) {
      const { dev, arg } = await deviceArg(ctx, args);
      await ctx.call(
        () => ctx.conn.call("nodeDeviceUndefine", dev.ref, 0),
        `Failed to undefine node device '${arg}'`,
      );
      ctx.printExtra(`Undefined node device '${arg}'\n`);
    },
  },
  {
    name: "nodedev-start",
    async run(ctx, args) {
      const { dev, arg } = await deviceArg(ctx, args);
      await ctx.call(
        () => ctx.conn.call("nodeDeviceCreate", dev.ref, 0),
        `Failed to start device ${arg}`,
      );
      ctx.printExtra(`Device ${arg} started\n`);
    },
  },
  {
    name: "nodedev-autostart",
    async run(ctx, args) {
      const { dev, arg } = await deviceArg(ctx, args);
      const on = !args.has("disable");
      const verb = on ? "mark" : "unmark";
      await ctx.call(
        () => ctx.conn.call("nodeDeviceSetAutostart", dev.ref, on),
        `failed to ${verb} device ${arg} as autostarted`,
      );
      ctx.printExtra(`Device ${arg} ${verb}ed as autostarted\n`);
    },
  },
  {
    name: "nodedev-info",
    async run(ctx, args) {
      const { dev } = await deviceArg(ctx, args);
      const parent = await ctx.attempt(() => dev.getParent());
      // virsh tests these answers for truth, so a failed call (-1) reads as "yes".
      const truth = async (m: "nodeDeviceIsActive" | "nodeDeviceIsPersistent") => {
        const r = await ctx.attempt(() => ctx.conn.call(m, dev.ref));
        return !r.ok || r.value;
      };
      const auto = await ctx.attempt(() => ctx.conn.call("nodeDeviceGetAutostart", dev.ref));
      ctx.print(field("Name:", dev.name));
      ctx.print(field("Parent:", (parent.ok && parent.value) || ""));
      ctx.print(field("Active:", yesNo(await truth("nodeDeviceIsActive"))));
      ctx.print(field("Persistent:", yesNo(await truth("nodeDeviceIsPersistent"))));
      ctx.print(field("Autostart:", auto.ok ? yesNo(auto.value) : "no autostart"));
    },
  },
];

/** `vshCommandOptStringReq` of `--device`, then `virNodeDeviceLookupByName`. */
async function deviceArg(
  ctx: CommandContext,
  args: Args,
): Promise<{ dev: NodeDevice; arg: string }> {
  const arg = ctx.optString(args, "device")!;
  return { dev: await nodeDeviceArg(ctx, args), arg };
}
