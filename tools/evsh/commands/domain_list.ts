/**
 * `list`: domains as virsh's table, or bare names/UUIDs.
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { Domain } from "../../../client/domain.ts";
import type { CommandContext, CommandDef } from "../context.ts";
import { domainStateName } from "../format.ts";
import { formatTable } from "../table.ts";
import { activityFlags, bits, exclusive } from "./common.ts";

/** `virshDomainSorter`: running domains by id, then inactive ones by name, case-blind. */
function byIdThenName(a: Domain, b: Domain): number {
  if (a.id === -1 && b.id === -1) {
    const x = a.name.toLowerCase();
    const y = b.name.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a.id !== -1 && b.id !== -1) return a.id - b.id;
  return a.id !== -1 ? -1 : 1;
}

/**
 * `virshGetDomainDescription(title)`: the title metadata; a domain without one shows an empty
 * cell rather than failing the listing.
 */
async function title(ctx: CommandContext, d: Domain): Promise<string> {
  const r = await ctx.attempt(() => d.getMetadata(VIR.DOMAIN_METADATA_TITLE, null));
  if (r.ok) return r.value;
  if (ctx.lastError?.code !== VIR.ERR_NO_DOMAIN_METADATA) ctx.fail();
  ctx.resetError();
  return "";
}

const FILTERS = [
  ["persistent", VIR.CONNECT_LIST_DOMAINS_PERSISTENT],
  ["transient", VIR.CONNECT_LIST_DOMAINS_TRANSIENT],
  ["with-managed-save", VIR.CONNECT_LIST_DOMAINS_MANAGEDSAVE],
  ["without-managed-save", VIR.CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE],
  ["autostart", VIR.CONNECT_LIST_DOMAINS_AUTOSTART],
  ["no-autostart", VIR.CONNECT_LIST_DOMAINS_NO_AUTOSTART],
  ["with-snapshot", VIR.CONNECT_LIST_DOMAINS_HAS_SNAPSHOT],
  ["without-snapshot", VIR.CONNECT_LIST_DOMAINS_NO_SNAPSHOT],
  ["with-checkpoint", VIR.CONNECT_LIST_DOMAINS_HAS_CHECKPOINT],
  ["without-checkpoint", VIR.CONNECT_LIST_DOMAINS_NO_CHECKPOINT],
  ["state-running", VIR.CONNECT_LIST_DOMAINS_RUNNING],
  ["state-paused", VIR.CONNECT_LIST_DOMAINS_PAUSED],
  ["state-shutoff", VIR.CONNECT_LIST_DOMAINS_SHUTOFF],
  ["state-other", VIR.CONNECT_LIST_DOMAINS_OTHER],
] as const;

/** The `list` command. */
export const LIST_COMMAND: CommandDef = {
  name: "list",
  async run(ctx, args) {
    exclusive(ctx, args, "table", "name");
    exclusive(ctx, args, "table", "uuid");
    exclusive(ctx, args, "table", "id");
    let f = activityFlags(args, VIR.CONNECT_LIST_DOMAINS_ACTIVE, VIR.CONNECT_LIST_DOMAINS_INACTIVE);
    // cmdList: --state-shutoff also asks for the inactive domains instead of the active ones
    if (args.has("state-shutoff") && !args.has("all")) f = VIR.CONNECT_LIST_DOMAINS_INACTIVE;
    f |= bits(args, FILTERS);
    const doms = (await ctx.call(() => ctx.conn.listAllDomains(f), "Failed to list domains"))
      .sort(byIdThenName);
    const uuid = args.has("uuid");
    const name = args.has("name");
    const id = args.has("id");
    if (uuid || name || id) {
      for (const d of doms) {
        // With --id alone, inactive domains (no id) are left out.
        if (id && !uuid && !name && d.id === -1) continue;
        const idText = d.id === -1 ? "-" : String(d.id);
        ctx.print(`${[uuid && d.uuid, id && idText, name && d.name].filter(Boolean).join(" ")}\n`);
      }
      return;
    }
    const rows: string[][] = [];
    for (const d of doms) {
      const ms = args.has("managed-save")
        ? await ctx.attempt(() => d.hasManagedSaveImage())
        : undefined;
      const saved = ms?.ok === true && ms.value;
      const state = saved ? "saved" : domainStateName((await ctx.call(() => d.getState()))[0]);
      const row = [d.id === -1 ? "-" : String(d.id), d.name, state];
      if (args.has("title")) row.push(await title(ctx, d));
      rows.push(row);
    }
    const header = ["Id", "Name", "State"];
    ctx.print(formatTable(args.has("title") ? [...header, "Title"] : header, rows));
  },
};
