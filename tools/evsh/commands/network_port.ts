/**
 * Network ports and leases: `net-port-list`, `net-port-create`, `net-port-dumpxml`,
 * `net-port-delete`, `net-dhcp-leases`; and the interface transactions `iface-begin`,
 * `iface-commit`, `iface-rollback`; and `net-update`. The driver contract declares no network port calls.
 * @module
 */
import type { Connection } from "../../../client/connection.ts";
import { type CommandContext, type CommandDef, CommandFailed } from "../context.ts";
import { networkArg } from "../lookup.ts";
import type { Args } from "../options.ts";
import { formatTable } from "../table.ts";
import { exclusive, undeclared } from "./common.ts";
import { VIR } from "../../../util/constants.ts";

/**
 * virsh 9.0's `net-port-dumpxml` and `net-port-delete` start out successful and stay so when a
 * look-up fails: the error line shows, the command still succeeds and its libvirt error is
 * dropped.
 */
async function lookupsSucceed(ctx: CommandContext, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (!(e instanceof CommandFailed)) throw e;
    ctx.resetError();
  }
}

/** `virshCommandOptNetworkPort`: by UUID string, which no edgevirt driver can answer. */
function portArg(ctx: CommandContext, args: Args): never {
  const port = ctx.optString(args, "port");
  return undeclared(ctx, "virNetworkPortLookupByUUID", `failed to get network port '${port}'`);
}

/** `g_date_time_format(…, "%Y-%m-%d %H:%M:%S")` in local time. */
function localTime(seconds: number): string {
  const d = new Date(seconds * 1000);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ` +
    `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** `iface-begin`, `iface-commit`, `iface-rollback`: one call on the host's interfaces. */
function ifaceTransaction(
  name: string,
  call: (conn: Connection) => Promise<void>,
  verb: string,
  done: string,
): CommandDef {
  return {
    name,
    async run(ctx) {
      await ctx.call(
        () => call(ctx.conn),
        `Failed to ${verb} network config change transaction`,
      );
      ctx.printExtra(`Network config change transaction ${done}\n`);
    },
  };
}

/** One lease as the network API reports it. */
interface Lease {
  expirytime?: number;
  mac?: string;
  type?: number;
  ipaddr?: string;
  prefix?: number;
  hostname?: string;
  clientid?: string;
  iaid?: string;
}

/** The network port and interface transaction command table. */
export const NETWORK_PORT_COMMANDS: CommandDef[] = [
  {
    name: "net-port-list",
    async run(ctx, args) {
      if (args.has("table") && args.has("uuid")) {
        ctx.fail("Only one argument from --table and --uuid may be specified.");
      }
      await networkArg(ctx, args);
      undeclared(ctx, "virNetworkListAllPorts", undefined, "NETWORK");
    },
  },
  {
    name: "net-port-create",
    async run(ctx, args) {
      await networkArg(ctx, args);
      const file = ctx.optString(args, "file")!;
      await ctx.readFile(file);
      undeclared(
        ctx,
        "virNetworkPortCreateXML",
        `Failed to create network from ${file}`,
        "NETWORK",
      );
    },
  },
  {
    name: "net-port-dumpxml",
    run: (ctx, args) =>
      lookupsSucceed(ctx, async () => {
        await networkArg(ctx, args);
        portArg(ctx, args);
      }),
  },
  {
    name: "net-port-delete",
    run: (ctx, args) =>
      lookupsSucceed(ctx, async () => {
        await networkArg(ctx, args);
        portArg(ctx, args);
      }),
  },
  {
    name: "net-dhcp-leases",
    async run(ctx, args) {
      const mac = ctx.optString(args, "mac") ?? null;
      const { obj: net, arg } = await networkArg(ctx, args);
      const leases = (await ctx.call(
        () => net.getDHCPLeases(mac, 0),
        `Failed to get leases info for ${arg}`,
      )) as Lease[];
      const key = (l: Lease) => l.mac ?? l.iaid ?? "";
      leases.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
      const rows = leases.map((l) => [
        localTime(l.expirytime ?? 0),
        l.mac ?? "-",
        l.type === 0 ? "ipv4" : l.type === 1 ? "ipv6" : "-",
        `${l.ipaddr}/${l.prefix}`,
        l.hostname ?? "-",
        l.clientid ?? "-",
      ]);
      ctx.print(
        formatTable(
          ["Expiry Time", "MAC address", "Protocol", "IP address", "Hostname", "Client ID or DUID"],
          rows,
        ),
      );
    },
  },
  ifaceTransaction("iface-begin", (c) => c.interfaceChangeBegin(0), "begin", "started"),
  ifaceTransaction("iface-commit", (c) => c.interfaceChangeCommit(0), "commit", "committed"),
  ifaceTransaction(
    "iface-rollback",
    (c) => c.interfaceChangeRollback(0),
    "rollback",
    "rolled back",
  ),
  {
    name: "net-update",
    async run(ctx, args) {
      exclusive(ctx, args, "current", "live");
      exclusive(ctx, args, "current", "config");
      const { obj: net } = await networkArg(ctx, args);
      // virsh reports whatever error there is at once, on every way out.
      try {
        const commandText = ctx.optString(args, "command")!;
        const command = commandText === "add" ? 3 : UPDATE_COMMANDS.indexOf(commandText);
        if (command <= 0) ctx.fail(`unrecognized command name '${commandText}'`);
        const sectionText = ctx.optString(args, "section")!;
        const section = NETWORK_SECTIONS.indexOf(sectionText);
        if (section <= 0) ctx.fail(`unrecognized section name '${sectionText}'`);
        const parent = ctx.optInt(args, "parent-index", "i") ?? -1;
        let xml = ctx.optString(args, "xml")!;
        if (!xml.startsWith("<")) xml = await ctx.readFile(xml);
        const config = args.has("config");
        const live = args.has("live");
        const flags = (config ? VIR.NETWORK_UPDATE_AFFECT_CONFIG : 0) |
          (live ? VIR.NETWORK_UPDATE_AFFECT_LIVE : 0);
        await ctx.call(
          () => net.update(command, section, parent, xml, flags),
          `Failed to update network ${net.name}`,
        );
        const active = !config && !live && (await ctx.attempt(() => net.isActive()));
        const liveState = live || (active && active.ok && active.value);
        ctx.printExtra(
          config && live
            ? `Updated network ${net.name} persistent config and live state`
            : config || !liveState
            ? `Updated network ${net.name} persistent config`
            : `Updated network ${net.name} live state`,
        );
      } catch (e) {
        if (!(e instanceof CommandFailed)) throw e;
        ctx.reportNow();
        throw e;
      }
    },
  },
];

const UPDATE_COMMANDS = ["none", "modify", "delete", "add-last", "add-first"];
const NETWORK_SECTIONS = [
  "none",
  "bridge",
  "domain",
  "ip",
  "ip-dhcp-host",
  "ip-dhcp-range",
  "forward",
  "forward-interface",
  "forward-pf",
  "portgroup",
  "dns-host",
  "dns-txt",
  "dns-srv",
];
