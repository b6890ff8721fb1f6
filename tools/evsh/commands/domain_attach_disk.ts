/**
 * `attach-disk` (virsh's `cmdAttachDisk`): a `<disk>` element built from the options, printed
 * with `--print-xml` or attached with `virDomainAttachDevice[Flags]`.
 * @module
 */
import { VirError } from "../../../util/errors.ts";
import { escapeXml } from "../../../util/xml/stringify.ts";
import { callDriver } from "../../../client/handle.ts";
import { formatAddress, parseAddress } from "../address.ts";
import type { CommandContext, CommandDef } from "../context.ts";
import { domainArg } from "../lookup.ts";
import { exclusive, requires } from "./common.ts";
import { deviceFlags, persistentLive } from "./domain_devices.ts";

/** `virshAttachDiskSourceType` names (0 is "none"). */
const SOURCE_TYPES = ["", "file", "block", "network"];

/** The string options virsh reads, in its order (`vshCommandOptStringReq`). */
const STRING_OPTS = [
  "source",
  "target",
  "driver",
  "subdriver",
  "type",
  "mode",
  "iothread",
  "cache",
  "io",
  "serial",
  "wwn",
  "address",
  "targetbus",
  "alias",
  "sourcetype",
  "source-protocol",
  "source-host-name",
  "source-host-transport",
  "source-host-socket",
] as const;

/** `virBufferEscapeString(" name='%s'", value)`: nothing when the value is absent. */
function attr(name: string, value: string | undefined): string {
  return value === undefined ? "" : ` ${name}='${escapeXml(value)}'`;
}

/** `virXMLFormatElement`: nothing when the element has neither attributes nor children. */
function element(indent: string, name: string, attrs: string, children = ""): string {
  if (!attrs && !children) return "";
  if (!children) return `${indent}<${name}${attrs}/>\n`;
  return `${indent}<${name}${attrs}>\n${children}${indent}</${name}>\n`;
}

/** `virValidateWWN`: 16 hexadecimal digits, after an optional `0x`. */
function validWWN(wwn: string): boolean {
  return /^(?:0x)?[0-9a-fA-F]{16}$/.test(wwn);
}

/** `cmdAttachDiskFormatAddress`: the address, checked against the target's bus prefix. */
function diskAddress(
  ctx: CommandContext,
  straddr: string,
  target: string,
  multifunction: boolean,
): string {
  const a = parseAddress(straddr);
  if (!a) ctx.fail("Invalid address.");
  if (target.startsWith("vd") && a.type !== "pci" && a.type !== "ccw") {
    ctx.fail("expecting a pci:0000.00.00.00 or ccw:00.0.0000 address.");
  } else if (target.startsWith("sd") && !["scsi", "usb", "sata"].includes(a.type)) {
    ctx.fail("expecting a scsi:00.00.00 or usb:00.00 or sata:00.00.00 address.");
  } else if (target.startsWith("hd") && a.type !== "ide") {
    ctx.fail("expecting an ide:00.00.00 address.");
  }
  return `  ${formatAddress(a, multifunction)}\n`;
}

/** The disk XML the options describe. */
async function diskXML(ctx: CommandContext, o: Record<string, string | undefined>, args: {
  rawio: boolean;
  multifunction: boolean;
}): Promise<string> {
  let type = 0;
  const stype = o.sourcetype;
  if (stype !== undefined) {
    type = SOURCE_TYPES.indexOf(stype);
    if (type < 0) ctx.fail(`Unknown source type: '${stype}'`);
  }
  if (type === 0) {
    const driver = o.driver;
    if (o["source-protocol"] !== undefined) type = 3;
    else if (
      driver !== "file" && driver !== "tap" && o.source !== undefined &&
      await ctx.io.isBlockDevice?.(o.source)
    ) type = 2;
    else type = 1;
  }
  if ((type === 3) !== (o["source-protocol"] !== undefined)) {
    ctx.fail("--source-protocol option requires --sourcetype network");
  }
  const mode = o.mode;
  if (mode !== undefined && mode !== "readonly" && mode !== "shareable") {
    ctx.fail(`No support for ${mode} in command 'attach-disk'`);
  }
  if (o.wwn !== undefined && !validWWN(o.wwn)) {
    ctx.lastError = VirError.report("NONE", "INTERNAL_ERROR", `Malformed wwn: ${o.wwn}`);
    ctx.fail();
  }
  const diskAttrs = ` type='${SOURCE_TYPES[type]}'${attr("device", o.type)}` +
    (args.rawio ? " rawio='yes'" : "");
  let children = element(
    "  ",
    "driver",
    attr("name", o.driver) + attr("type", o.subdriver) + attr("iothread", o.iothread) +
      attr("cache", o.cache) + attr("io", o.io),
  );
  if (type === 3) {
    let hostAttrs = attr("transport", o["source-host-transport"]) +
      attr("socket", o["source-host-socket"]);
    const hostName = o["source-host-name"];
    if (hostName !== undefined) {
      const colon = hostName.indexOf(":");
      hostAttrs += colon < 0
        ? attr("name", hostName)
        : attr("name", hostName.slice(0, colon)) + attr("port", hostName.slice(colon + 1));
    }
    children += element(
      "  ",
      "source",
      attr("protocol", o["source-protocol"]) + attr("name", o.source),
      element("    ", "host", hostAttrs),
    );
  } else {
    children += element("  ", "source", attr(type === 1 ? "file" : "dev", o.source));
  }
  const target = o.target!;
  children += `  <target dev='${target}'${
    o.targetbus !== undefined ? ` bus='${o.targetbus}'` : ""
  }/>\n`;
  if (mode !== undefined) children += `  <${mode}/>\n`;
  if (o.serial !== undefined) children += `  <serial>${o.serial}</serial>\n`;
  if (o.alias !== undefined) children += `  <alias name='${o.alias}'/>\n`;
  if (o.wwn !== undefined) children += `  <wwn>${o.wwn}</wwn>\n`;
  if (o.address !== undefined) {
    children += diskAddress(ctx, o.address, target, args.multifunction);
  }
  return element("", "disk", diskAttrs, children);
}

/** The `attach-disk` command. */
export const ATTACH_DISK_COMMAND: CommandDef = {
  name: "attach-disk",
  async run(ctx, args) {
    let flags = deviceFlags(ctx, args);
    requires(ctx, args, "source-host-name", "source-protocol");
    requires(ctx, args, "source-host-transport", "source-protocol");
    requires(ctx, args, "source-host-socket", "source-protocol");
    requires(ctx, args, "source-host-socket", "source-host-transport");
    exclusive(ctx, args, "source-host-name", "source-host-socket");
    const o: Record<string, string | undefined> = {};
    for (const name of STRING_OPTS) o[name] = ctx.optString(args, name);
    const xml = await diskXML(ctx, o, {
      rawio: args.has("rawio"),
      multifunction: args.has("multifunction"),
    });
    if (args.has("print-xml")) {
      ctx.print(xml);
      return;
    }
    const { obj: dom } = await domainArg(ctx, args);
    flags |= await persistentLive(ctx, args, dom);
    const method = "domainAttachDeviceFlags" as const;
    const call = flags || args.has("current") ? method : { method, api: "virDomainAttachDevice" };
    await ctx.call(
      () => callDriver(ctx.conn, call, dom.ref, xml, flags),
      "Failed to attach disk",
    );
    ctx.printExtra("Disk attached successfully\n");
  },
};
