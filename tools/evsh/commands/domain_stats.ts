/**
 * `domstats` (virsh's `cmdDomstats`): statistics records of all domains
 * (`virConnectGetAllDomainStats`) or of the domains named (`virDomainListGetStats`), printed
 * as `Domain: 'NAME'` and one `  field=value` line per parameter, records apart by an empty line.
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { DomainStatsRecord } from "../../../util/contract/types.ts";
import type { CommandDef } from "../context.ts";
import { domainArg } from "../lookup.ts";
import { Args } from "../options.ts";
import { bits } from "./common.ts";
import { typedParamText } from "./domain_guest.ts";

/** The statistics groups by option (`VIR_DOMAIN_STATS_*`). */
const GROUPS: readonly (readonly [string, number])[] = [
  ["state", VIR.DOMAIN_STATS_STATE],
  ["cpu-total", VIR.DOMAIN_STATS_CPU_TOTAL],
  ["balloon", VIR.DOMAIN_STATS_BALLOON],
  ["vcpu", VIR.DOMAIN_STATS_VCPU],
  ["interface", VIR.DOMAIN_STATS_INTERFACE],
  ["block", VIR.DOMAIN_STATS_BLOCK],
  ["perf", VIR.DOMAIN_STATS_PERF],
  ["iothread", VIR.DOMAIN_STATS_IOTHREAD],
  ["memory", VIR.DOMAIN_STATS_MEMORY],
  ["dirtyrate", VIR.DOMAIN_STATS_DIRTYRATE],
  ["vm", VIR.DOMAIN_STATS_VM],
];

/** The list filters and behaviour flags by option (`VIR_CONNECT_GET_ALL_DOMAINS_STATS_*`). */
const FLAGS: readonly (readonly [string, number])[] = [
  ["list-active", VIR.CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE],
  ["list-inactive", VIR.CONNECT_GET_ALL_DOMAINS_STATS_INACTIVE],
  ["list-persistent", VIR.CONNECT_GET_ALL_DOMAINS_STATS_PERSISTENT],
  ["list-transient", VIR.CONNECT_GET_ALL_DOMAINS_STATS_TRANSIENT],
  ["list-running", VIR.CONNECT_GET_ALL_DOMAINS_STATS_RUNNING],
  ["list-paused", VIR.CONNECT_GET_ALL_DOMAINS_STATS_PAUSED],
  ["list-shutoff", VIR.CONNECT_GET_ALL_DOMAINS_STATS_SHUTOFF],
  ["list-other", VIR.CONNECT_GET_ALL_DOMAINS_STATS_OTHER],
  ["enforce", VIR.CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS],
  ["backing", VIR.CONNECT_GET_ALL_DOMAINS_STATS_BACKING],
  ["nowait", VIR.CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT],
];

/** The `domstats` command. */
export const DOMSTATS_COMMAND: CommandDef = {
  name: "domstats",
  async run(ctx, args) {
    const stats = bits(args, GROUPS);
    const flags = bits(args, FLAGS);
    let records: DomainStatsRecord[];
    if (args.has("domain")) {
      // virshLookupDomainBy for each argument, in order, before any statistics are asked for.
      const uuids: string[] = [];
      for (const name of args.argv("domain")) {
        const { obj } = await domainArg(ctx, Args.of({ domain: name }));
        uuids.push(obj.ref.uuid);
      }
      // virDomainListGetStats: the driver's all-domains call restricted to the list, in its
      // order; a listed domain the filters leave out is skipped.
      const all = await ctx.call(() => ctx.conn.call("connectGetAllDomainStats", stats, flags));
      records = uuids.flatMap((u) => all.filter((r) => r.dom.uuid === u));
    } else {
      records = await ctx.call(() => ctx.conn.call("connectGetAllDomainStats", stats, flags));
    }
    records.forEach((r, i) => {
      if (i) ctx.print("\n");
      ctx.print(`Domain: '${r.dom.name}'\n`);
      for (const [k, v] of Object.entries(r.params)) ctx.print(`  ${k}=${typedParamText(v)}\n`);
    });
  },
};
