/**
 * Node device commands: `nodedev-list` (flat, by capability, or as a tree) and
 * `nodedev-dumpxml`.
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { CommandDef } from "../context.ts";
import { nodeDeviceArg } from "../lookup.ts";
import { formatTree } from "../tree.ts";
import { splitList } from "../split_list.ts";
import { dumpXML, sortByName } from "./common.ts";

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
      if (tree && (cap !== undefined || inactive)) {
        ctx.fail("Option --tree is incompatible with --cap and --inactive");
      }
      if (inactive && args.has("all")) ctx.fail("Option --all is incompatible with --inactive");
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
      const dev = await nodeDeviceArg(ctx, args);
      await dumpXML(ctx, args, () => dev.getXMLDesc());
    },
  },
];
