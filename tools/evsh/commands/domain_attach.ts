/**
 * Attaching a network interface built from options: `attach-interface`.
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import { callDriver } from "../../../client/handle.ts";
import type { CommandContext, CommandDef } from "../context.ts";
import { domainArg } from "../lookup.ts";
import { exclusive } from "./common.ts";
import { INTERFACE_TYPES } from "../../../conf/domain/names.ts";
import { rate } from "./domain_tune.ts";

/** `virDomainNetType` names; only some can be attached from options. */
const NET_TYPES: readonly string[] = INTERFACE_TYPES;

const SOURCE_MODES = ["server", "client"];

/**
 * `virshAddressParse` of `pci:DOMAIN:BUS:SLOT.FUNCTION`: hexadecimal numbers, each followed
 * by any one separator, as its `strtoul` chain reads them.
 */
function pciAddress(source: string): number[] | undefined {
  const out: number[] = [];
  let rest = source;
  for (let i = 0; i < 4; i++) {
    const m = /^\s*(?:0x)?([0-9a-f]+)/i.exec(rest);
    if (!m) return undefined;
    const v = Number.parseInt(m[1], 16);
    if (v > 0xffffffff) return undefined;
    out.push(v);
    rest = rest.slice(m[0].length + 1);
  }
  return out;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}

/** The interface XML the options describe (`cmdAttachInterface`). */
function interfaceXML(
  ctx: CommandContext,
  o: Record<string, string | undefined>,
  managed: boolean,
) {
  const type = o.type!;
  const typ = NET_TYPES.indexOf(type);
  if (typ < 0) ctx.fail(`No support for ${type} in command 'attach-interface'`);
  const mode = o["source-mode"];
  if (mode !== undefined && !SOURCE_MODES.includes(mode)) ctx.fail(`Invalid source mode: ${mode}`);
  const inbound = o.inbound !== undefined ? rate(ctx, o.inbound) : undefined;
  if (inbound && !inbound.average && !inbound.floor) {
    ctx.fail("either inbound average or floor is mandatory");
  }
  const outbound = o.outbound !== undefined ? rate(ctx, o.outbound) : undefined;
  if (outbound && outbound.average === 0) ctx.fail("outbound average is mandatory");
  if (outbound?.floor) ctx.fail("outbound floor is unsupported yet");
  let xml = `<interface type='${type}'${managed ? " managed='yes'" : ""}>\n`;
  const source = o.source;
  if (type === "network" || type === "bridge") xml += `  <source ${type}='${source}'/>\n`;
  else if (type === "direct") xml += `  <source dev='${source}'/>\n`;
  else if (type === "hostdev") {
    const a = pciAddress(source ?? "");
    if (!a) ctx.fail(`cannot parse pci address '${source}' for network interface`);
    xml += `  <source>\n    <address type='pci' domain='0x${hex(a[0], 4)}' bus='0x${
      hex(a[1], 2)
    }' slot='0x${hex(a[2], 2)}' function='0x${hex(a[3], 1)}'/>\n  </source>\n`;
  } else if (type === "vhostuser") {
    if (mode === undefined) ctx.fail("source-mode is mandatory");
    xml += `  <source type='unix' path='${source}' mode='${mode}'/>\n`;
  } else ctx.fail(`No support for ${type} in command 'attach-interface'`);
  if (o.target !== undefined) xml += `  <target dev='${o.target}'/>\n`;
  if (o.mac !== undefined) xml += `  <mac address='${o.mac}'/>\n`;
  if (o.script !== undefined) xml += `  <script path='${o.script}'/>\n`;
  if (o.model !== undefined) xml += `  <model type='${o.model}'/>\n`;
  if (o.alias !== undefined) xml += `  <alias name='${o.alias}'/>\n`;
  if (inbound || outbound) {
    xml += "  <bandwidth>\n";
    if (inbound && (inbound.average || inbound.floor)) {
      xml += "    <inbound";
      for (const k of ["average", "peak", "burst", "floor"] as const) {
        if (inbound[k] > 0) xml += ` ${k}='${inbound[k]}'`;
      }
      xml += "/>\n";
    }
    if (outbound && outbound.average > 0) {
      xml += `    <outbound average='${outbound.average}'`;
      if (outbound.peak > 0) xml += ` peak='${outbound.peak}'`;
      if (outbound.burst > 0) xml += ` burst='${outbound.burst}'`;
      xml += "/>\n";
    }
    xml += "  </bandwidth>\n";
  }
  return xml + "</interface>\n";
}

/** The attach command table. */
export const DOMAIN_ATTACH_COMMANDS: CommandDef[] = [
  {
    name: "attach-interface",
    async run(ctx, args) {
      exclusive(ctx, args, "persistent", "current");
      exclusive(ctx, args, "current", "live");
      exclusive(ctx, args, "current", "config");
      let flags = (args.has("config") || args.has("persistent") ? VIR.DOMAIN_AFFECT_CONFIG : 0) |
        (args.has("live") ? VIR.DOMAIN_AFFECT_LIVE : 0);
      const names = [
        "type",
        "source",
        "target",
        "mac",
        "script",
        "model",
        "alias",
        "inbound",
        "outbound",
        "source-mode",
      ];
      const o = Object.fromEntries(names.map((n) => [n, ctx.optString(args, n)]));
      const xml = interfaceXML(ctx, o, args.has("managed"));
      if (args.has("print-xml")) return ctx.print(xml);
      const { obj: dom } = await domainArg(ctx, args);
      if (args.has("persistent")) {
        const active = await ctx.attempt(() => dom.isActive());
        if (active.ok && active.value) flags |= VIR.DOMAIN_AFFECT_LIVE;
      }
      await ctx.call(
        () =>
          callDriver(
            ctx.conn,
            flags || args.has("current")
              ? "domainAttachDeviceFlags"
              : { method: "domainAttachDeviceFlags" as const, api: "virDomainAttachDevice" },
            dom.ref,
            xml,
            flags,
          ),
        "Failed to attach interface",
      );
      ctx.printExtra("Interface attached successfully\n");
    },
  },
];
