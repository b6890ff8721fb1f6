/**
 * Devices picked from the domain XML: `detach-disk`, `detach-interface`, `change-media` (up
 * to finding the drive).
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { Domain } from "../../../client/domain.ts";
import { callDriver } from "../../../client/handle.ts";
import { parseXML } from "../xml_parse.ts";
import type { CommandContext, CommandDef } from "../context.ts";
import { domainArg } from "../lookup.ts";
import type { Args } from "../options.ts";
import { dumpNode, type XNode, xpathDocument, xpathNodes, xpathString } from "../xpath.ts";
import { exclusive } from "./common.ts";
import { normalizeMac } from "./domain_monitor.ts";

function deviceOptions(ctx: CommandContext, args: Args): void {
  exclusive(ctx, args, "persistent", "current");
  exclusive(ctx, args, "current", "live");
  exclusive(ctx, args, "current", "config");
}

/** `virDomainDetachDeviceFlags`, or plain `virDomainDetachDevice` when no flag is asked for. */
function detach(ctx: CommandContext, dom: Domain, xml: string, flags: number, current: boolean) {
  return callDriver(
    ctx.conn,
    flags || current
      ? "domainDetachDeviceFlags"
      : { method: "domainDetachDeviceFlags" as const, api: "virDomainDetachDevice" },
    dom.ref,
    xml,
    flags,
  );
}

/**
 * `virshFindDisk`: the disk whose target or source is `path`, without backing stores; with
 * `changeable`, only CD-ROM and floppy drives (and disks of no device kind) count.
 */
async function findDisk(
  ctx: CommandContext,
  xml: string,
  path: string,
  changeable = false,
): Promise<string> {
  const doc = xpathDocument(await parseXML(xml), true);
  const disks = xpathNodes(doc, "/domain/devices/disk");
  if (!disks.length) ctx.fail("Failed to get disk information");
  for (const disk of disks) {
    const device = xpathString(doc, "string(./@device)", disk);
    if (changeable && device !== undefined && device !== "cdrom" && device !== "floppy") {
      continue;
    }
    const names = [
      "string(./target/@dev)",
      "string(./source/@file)",
      "string(./source/@dev)",
      "string(./source/@dir)",
      "string(./source/@name)",
    ].map((e) => xpathString(doc, e, disk));
    if (!names.includes(path) || disk.kind !== "element") continue;
    const copy: XNode = {
      ...disk,
      children: disk.children.filter((c) => !(c.kind === "element" && c.name === "backingStore")),
    };
    return dumpNode(copy);
  }
  return ctx.fail(`No disk found whose source path or target is ${path}`);
}

/** `virshDomainDetachInterface`: detach the one interface of `type` (and `mac`) in `xml`. */
async function detachInterface(
  ctx: CommandContext,
  args: Args,
  dom: Domain,
  xml: string,
  flags: number,
  type: string,
  mac: string | undefined,
): Promise<boolean> {
  const doc = xpathDocument(await parseXML(xml), true);
  const nodes = xpathNodes(doc, `/domain/devices/interface[@type='${type}']`);
  if (!nodes.length) {
    ctx.error(`No interface found whose type is ${type}`);
    return false;
  }
  let match: XNode | undefined;
  if (mac !== undefined) {
    for (const n of nodes) {
      const addr = xpathString(doc, "string(./mac/@address)", n);
      if (addr === undefined || normalizeMac(addr) !== normalizeMac(mac)) continue;
      if (match) {
        ctx.error(
          `Domain has multiple interfaces matching MAC address ${mac}. You must use ` +
            "detach-device and specify the device pci address to remove it.",
        );
        return false;
      }
      match = n;
    }
  } else if (nodes.length > 1) {
    ctx.error(
      `Domain has ${nodes.length} interfaces. Please specify which one to detach using --mac`,
    );
    return false;
  } else match = nodes[0];
  if (!match) {
    ctx.error(`No interface with MAC address ${mac} was found`);
    return false;
  }
  const detachXML = dumpNode(match);
  if (args.has("print-xml")) {
    ctx.print(detachXML);
    return true;
  }
  const r = await ctx.attempt(() => detach(ctx, dom, detachXML, flags, args.has("current")));
  return r.ok;
}

/** The detach command table. */
export const DOMAIN_DETACH_COMMANDS: CommandDef[] = [
  {
    name: "detach-disk",
    async run(ctx, args) {
      deviceOptions(ctx, args);
      let flags = (args.has("config") || args.has("persistent") ? VIR.DOMAIN_AFFECT_CONFIG : 0) |
        (args.has("live") ? VIR.DOMAIN_AFFECT_LIVE : 0);
      const { obj: dom } = await domainArg(ctx, args);
      const target = ctx.optString(args, "target")!;
      const doc = await ctx.call(() =>
        dom.getXMLDesc(flags === VIR.DOMAIN_AFFECT_CONFIG ? VIR.DOMAIN_XML_INACTIVE : 0)
      );
      if (args.has("persistent")) {
        const active = await ctx.attempt(() => dom.isActive());
        if (active.ok && active.value) flags |= VIR.DOMAIN_AFFECT_LIVE;
      }
      const diskXML = await findDisk(ctx, doc, target);
      if (args.has("print-xml")) return ctx.print(diskXML);
      await ctx.call(
        () => detach(ctx, dom, diskXML, flags, args.has("current")),
        "Failed to detach disk",
      );
      ctx.printExtra("Disk detached successfully\n");
    },
  },
  {
    name: "detach-interface",
    async run(ctx, args) {
      deviceOptions(ctx, args);
      const { obj: dom } = await domainArg(ctx, args);
      // virsh's cleanup adds its line to an option error as to a failed detach.
      const option = (name: string): string | undefined => {
        const value = ctx.optStringQuiet(args, name);
        if (value !== null) return value;
        ctx.error(`Failed to get option '${name}': Option argument is empty`);
        ctx.fail("Failed to detach interface");
      };
      const type = option("type");
      const mac = option("mac");
      const config = args.has("config") || args.has("persistent");
      let ok = false;
      const run = async (xmlFlags: number, flags: number) => {
        const xml = await ctx.attempt(() => dom.getXMLDesc(xmlFlags));
        return xml.ok && await detachInterface(ctx, args, dom, xml.value, flags, type!, mac);
      };
      let failed = false;
      if (config) {
        ok = await run(VIR.DOMAIN_XML_INACTIVE, VIR.DOMAIN_AFFECT_CONFIG);
        failed = !ok;
      }
      if (!failed) {
        let live = args.has("live");
        if (!live && args.has("persistent")) {
          const active = await ctx.attempt(() => dom.isActive());
          live = active.ok && active.value;
        }
        if (live || !config) ok = await run(0, live ? VIR.DOMAIN_AFFECT_LIVE : 0);
        if (args.has("print-xml")) return ok ? undefined : ctx.fail();
      }
      if (!ok) ctx.fail("Failed to detach interface");
      ctx.printExtra("Interface detached successfully\n");
    },
  },
  {
    name: "change-media",
    async run(ctx, args) {
      for (const [a, b] of [["eject", "insert"], ["eject", "update"], ["insert", "update"]]) {
        exclusive(ctx, args, a, b);
      }
      exclusive(ctx, args, "eject", "block");
      ctx.optString(args, "source");
      exclusive(ctx, args, "current", "live");
      exclusive(ctx, args, "current", "config");
      const config = args.has("config");
      const { obj: dom } = await domainArg(ctx, args);
      const path = ctx.optString(args, "path")!;
      const xml = await ctx.call(() => dom.getXMLDesc(config ? VIR.DOMAIN_XML_INACTIVE : 0));
      await findDisk(ctx, xml, path, true);
      ctx.fail("evsh does not rewrite removable media definitions yet");
    },
  },
];
