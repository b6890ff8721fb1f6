/**
 * Graphical console addresses: `domdisplay`, `vncdisplay`.
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import { parseXML } from "../xml_parse.ts";
import type { CommandContext, CommandDef } from "../context.ts";
import { domainArg } from "../lookup.ts";
import { type XNode, xpathDocument, xpathNodes, xpathString } from "../xpath.ts";
import { exclusive } from "./common.ts";

type Doc = { doc: XNode; context: XNode };

/** `virXPathInt`: the integer, or undefined when the text is not one. */
function xpathInt(doc: Doc, expr: string): number | undefined {
  const s = xpathString(doc, expr);
  return s !== undefined && /^[+-]?\d+$/.test(s) ? Number(s) : undefined;
}

/** `virSocketAddrIsWildcard` of an address literal. */
function isWildcard(addr: string): boolean {
  return addr === "0.0.0.0" || /^[0:]+$/.test(addr) && addr.includes("::");
}

/** `virshGetOneDisplay`: the URI of the first `<graphics>` of `scheme`, if it can be reached. */
async function oneDisplay(
  ctx: CommandContext,
  scheme: string,
  doc: Doc,
): Promise<string | undefined> {
  const at = (what: string) => `string(/domain/devices/graphics[@type='${scheme}']/${what})`;
  if (scheme === "dbus") {
    if (!xpathNodes(doc, "/domain/devices/graphics[@type='dbus']").length) return undefined;
    return ctx.fail("evsh does not build D-Bus display addresses");
  }
  let port = xpathInt(doc, at("@port")) ?? 0;
  const tlsPort = xpathInt(doc, at("@tlsPort")) ?? 0;
  let listen = xpathString(doc, at("@listen"));
  const sock = xpathString(doc, at("listen/@type")) === "socket"
    ? xpathString(doc, at("listen/@socket"))
    : undefined;
  if (!port && !tlsPort && !sock) return undefined;
  if (listen === undefined) listen = xpathString(doc, at("listen/@address"));
  else if (isWildcard(listen)) {
    // A wildcard listen address means the host the connection went to.
    const uri = await ctx.attempt(() => ctx.conn.getURI());
    ctx.resetError();
    listen = uri.ok ? (/^[^:]+:\/\/([^/:?]*)/.exec(uri.value)?.[1] || undefined) : undefined;
  }
  const passwd = xpathString(doc, at("@passwd"));
  let out = sock ? `${scheme}+unix://` : `${scheme}://`;
  if (scheme === "vnc" && passwd !== undefined) out += `:${passwd}@`;
  if (listen === undefined && !sock) out += "localhost";
  else if (!sock && listen!.includes(":")) out += `[${listen}]`;
  else out += sock ?? listen;
  if (port) {
    if (scheme === "vnc") port -= 5900;
    out += `:${port}`;
  }
  out += "?";
  if (tlsPort) out += `tls-port=${tlsPort}&`;
  if (scheme === "spice" && passwd !== undefined) out += `password=${passwd}&`;
  return out.slice(0, -1);
}

/** `!virDomainIsActive(dom)`: only a definite "no" stops the command. */
async function requireRunning(ctx: CommandContext, active: () => Promise<boolean>) {
  const r = await ctx.attempt(active);
  if (r.ok && !r.value) ctx.fail("Domain is not running");
}

/** The graphical console command table. */
export const DOMAIN_DISPLAY_COMMANDS: CommandDef[] = [
  {
    name: "domdisplay",
    async run(ctx, args) {
      exclusive(ctx, args, "all", "type");
      const { obj: dom } = await domainArg(ctx, args);
      await requireRunning(ctx, () => dom.isActive());
      const flags = args.has("include-password") ? VIR.DOMAIN_XML_SECURE : 0;
      const type = ctx.optString(args, "type");
      const xml = await ctx.call(() => dom.getXMLDesc(flags));
      const doc = xpathDocument(await parseXML(xml));
      const all = args.has("all");
      let found = false;
      for (const scheme of ["vnc", "spice", "rdp", "dbus"]) {
        if (!all && type !== undefined && type !== scheme) continue;
        const display = await oneDisplay(ctx, scheme, doc);
        if (display === undefined) continue;
        ctx.print(display);
        found = true;
        if (!all) break;
        ctx.print("\n");
      }
      if (!found) {
        ctx.fail(
          type !== undefined
            ? `No graphical display with type '${type}' found`
            : "No graphical display found",
        );
      }
    },
  },
  {
    name: "vncdisplay",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      await requireRunning(ctx, () => dom.isActive());
      const xml = await ctx.call(() => dom.getXMLDesc(0));
      const doc = xpathDocument(await parseXML(xml));
      const port = xpathInt(doc, "string(/domain/devices/graphics[@type='vnc']/@port)");
      if (port === undefined) return ctx.fail("Failed to get VNC port. Is this domain using VNC?");
      const listen = xpathString(doc, "string(/domain/devices/graphics[@type='vnc']/@listen)") ??
        xpathString(doc, "string(/domain/devices/graphics[@type='vnc']/listen/@address)");
      ctx.print(
        listen === undefined || listen === "0.0.0.0"
          ? `:${port - 5900}\n`
          : `${listen}:${port - 5900}\n`,
      );
    },
  },
];
