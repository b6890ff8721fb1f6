/**
 * Guest network interfaces and guest information: `domifaddr`, `domif-setlink`, `guestinfo`.
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import { parseXML } from "../xml_parse.ts";
import type { CommandDef } from "../context.ts";
import { domainArg } from "../lookup.ts";
import { dumpNode, type XNode, xpathDocument, xpathNodes, xpathString } from "../xpath.ts";
import { bits } from "./common.ts";
import { typedParamText } from "./domain_guest.ts";

const ADDRESS_SOURCES = ["lease", "agent", "arp"];

/** One interface as `virDomainInterfaceAddresses` reports it. */
interface GuestInterface {
  name: string;
  hwaddr?: string;
  addrs: { type: number; addr: string; prefix: number }[];
}

/** The guest interface command table. */
export const DOMAIN_IFACE_COMMANDS: CommandDef[] = [
  {
    name: "domifaddr",
    async run(ctx, args) {
      const only = ctx.optString(args, "interface");
      const sourceText = ctx.optString(args, "source");
      const source = sourceText === undefined ? 0 : ADDRESS_SOURCES.indexOf(sourceText);
      if (source < 0) ctx.fail(`Unknown data source '${sourceText}'`);
      const { obj: dom } = await domainArg(ctx, args);
      const ifaces = (await ctx.call(
        () => ctx.conn.call("domainInterfaceAddresses", dom.ref, source, 0),
        "Failed to query for interfaces addresses",
      )) as GuestInterface[];
      ctx.printExtra(
        ` ${"Name".padEnd(10)} ${"MAC address".padEnd(20)} ${"Protocol".padEnd(8)}     Address\n` +
          "-".repeat(79) + "\n",
      );
      const full = args.has("full");
      for (const iface of ifaces) {
        if (only !== undefined && only !== iface.name) continue;
        if (!iface.addrs.length) {
          ctx.print(
            ` ${iface.name.padEnd(10)} ${(iface.hwaddr ?? "N/A").padEnd(17)}    ${
              "N/A".padEnd(12)
            } N/A\n`,
          );
          continue;
        }
        iface.addrs.forEach((a, j) => {
          const type = a.type === 0 ? "ipv4" : a.type === 1 ? "ipv6" : "";
          const ip = `${type.padEnd(12)} ${a.addr}/${a.prefix}`;
          const [name, mac] = full || !j ? [iface.name, iface.hwaddr ?? ""] : ["-", "-"];
          ctx.print(` ${name.padEnd(10)} ${mac.padEnd(17)}    ${ip}\n`);
        });
      }
    },
  },
  {
    name: "domif-setlink",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      const iface = ctx.optString(args, "interface")!;
      const state = ctx.optString(args, "state")!;
      if (state !== "up" && state !== "down") ctx.fail(`invalid link state '${state}'`);
      const config = args.has("config");
      let flags = config ? VIR.DOMAIN_AFFECT_CONFIG : VIR.DOMAIN_AFFECT_LIVE;
      const active = await ctx.attempt(() => dom.isActive());
      if (active.ok && !active.value) flags = VIR.DOMAIN_AFFECT_CONFIG;
      const xml = await ctx.call(() => dom.getXMLDesc(config ? VIR.DOMAIN_XML_INACTIVE : 0));
      const doc = xpathDocument(await parseXML(xml), true);
      const nodes = xpathNodes(doc, "/domain/devices/interface");
      if (!nodes.length) {
        ctx.fail("Failed to extract interface information or no interfaces found");
      }
      const same = (n: XNode, expr: string) =>
        xpathString(doc, expr, n)?.toLowerCase() === iface.toLowerCase();
      const node = nodes.find((n) =>
        same(n, "string(./mac/@address)") || same(n, "string(./target/@dev)")
      );
      if (node?.kind !== "element") return ctx.fail(`interface '${iface}' not found`);
      let link = xpathNodes(doc, "./link", node)[0];
      if (link?.kind !== "element") {
        link = { kind: "element", order: 0, name: "link", attrs: [], children: [], parent: node };
        node.children.push(link);
      }
      const attr = link.attrs.find((a) => a.kind === "attr" && a.name === "state");
      if (attr?.kind === "attr") attr.value = state;
      else link.attrs.push({ kind: "attr", order: 0, name: "state", value: state, parent: link });
      const updated = dumpNode(node);
      if (args.has("print-xml")) return ctx.print(updated);
      await ctx.call(
        () => ctx.conn.call("domainUpdateDeviceFlags", dom.ref, updated, flags),
        "Failed to update interface link state",
      );
      ctx.printExtra("Device updated successfully\n");
    },
  },
  {
    name: "guestinfo",
    async run(ctx, args) {
      const types = bits(args, [
        ["user", VIR.DOMAIN_GUEST_INFO_USERS],
        ["os", VIR.DOMAIN_GUEST_INFO_OS],
        ["timezone", VIR.DOMAIN_GUEST_INFO_TIMEZONE],
        ["hostname", VIR.DOMAIN_GUEST_INFO_HOSTNAME],
        ["filesystem", VIR.DOMAIN_GUEST_INFO_FILESYSTEM],
        ["disk", VIR.DOMAIN_GUEST_INFO_DISKS],
        ["interface", VIR.DOMAIN_GUEST_INFO_INTERFACES],
      ]);
      const { obj: dom } = await domainArg(ctx, args);
      const params = await ctx.call(() => ctx.conn.call("domainGetGuestInfo", dom.ref, types, 0));
      for (const [k, v] of Object.entries(params)) {
        ctx.print(`${k.padEnd(20)}: ${typedParamText(v)}\n`);
      }
    },
  },
];
