/**
 * Network filter commands: `nwfilter-define`, `nwfilter-undefine`, `nwfilter-dumpxml`,
 * `nwfilter-list`, and their bindings: `nwfilter-binding-create`, `nwfilter-binding-delete`,
 * `nwfilter-binding-dumpxml`, `nwfilter-binding-list`. The client has no handle for them:
 * they make their contract calls with wire references.
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import { callDriver } from "../../../client/handle.ts";
import type { NWFilterBindingRef, NWFilterRef } from "../../../util/contract/types.ts";
import { parseUUID } from "../../../util/uuid.ts";
import { VirError } from "../../../util/errors.ts";
import type { CommandContext, CommandDef } from "../context.ts";
import type { Args } from "../options.ts";
import { formatTable } from "../table.ts";
import { bits, dumpXML, sortByName } from "./common.ts";

/** `virshCommandOptNWFilter`: by UUID when the argument has a UUID's length, then by name. */
export async function nwfilterArg(ctx: CommandContext, args: Args): Promise<NWFilterRef> {
  const arg = ctx.optString(args, "nwfilter") ?? "";
  let found: NWFilterRef | undefined;
  if (arg.length === 36) {
    const r = await ctx.attempt(() => {
      const uuid = parseUUID(arg);
      if (!uuid) {
        throw VirError.bare(
          "NWFILTER",
          "INVALID_ARG",
          "uuidstr in virNWFilterLookupByUUIDString must be a valid UUID",
        );
      }
      return ctx.conn.call("nwfilterLookupByUUID", uuid);
    });
    if (r.ok) found = r.value;
  }
  if (!found) {
    const r = await ctx.attempt(() => ctx.conn.call("nwfilterLookupByName", arg));
    if (r.ok) found = r.value;
  }
  if (!found) ctx.fail(`failed to get nwfilter '${arg}'`);
  return found;
}

/** `virshCommandOptNWFilterBinding`: by port device. */
async function bindingArg(
  ctx: CommandContext,
  args: Args,
): Promise<{ ref: NWFilterBindingRef; arg: string }> {
  const arg = ctx.optString(args, "binding") ?? "";
  const r = await ctx.attempt(() => ctx.conn.call("nwfilterBindingLookupByPortDev", arg));
  if (!r.ok) ctx.fail(`failed to get nwfilter binding '${arg}'`);
  return { ref: r.value, arg };
}

/**
 * `virshNWFilterListCollect`: every filter sorted by name; without
 * `virConnectListAllNWFilters` virsh falls back to the old name list.
 */
async function collectFilters(ctx: CommandContext): Promise<NWFilterRef[]> {
  const all = await ctx.attempt(() => ctx.conn.call("connectListAllNWFilters", 0));
  if (all.ok) return sortByName(all.value);
  if (ctx.lastError?.code !== VIR.ERR_NO_SUPPORT) ctx.fail("Failed to list network filters");
  ctx.resetError();
  const n = await ctx.call(
    () => ctx.conn.call("connectNumOfNWFilters"),
    "Failed to count network filters",
  );
  if (n === 0) return [];
  const names = await ctx.call(
    () => ctx.conn.call("connectListNWFilters"),
    "Failed to list network filters",
  );
  const out: NWFilterRef[] = [];
  for (const name of names) {
    const r = await ctx.attempt(() => ctx.conn.call("nwfilterLookupByName", name));
    if (r.ok) out.push(r.value);
  }
  return sortByName(out);
}

/** The network filter command table. */
export const NWFILTER_COMMANDS: CommandDef[] = [
  {
    name: "nwfilter-define",
    async run(ctx, args) {
      const file = ctx.optString(args, "file")!;
      const flags = bits(args, [["validate", VIR.NWFILTER_DEFINE_VALIDATE]]);
      const xml = await ctx.readFile(file);
      const f = await ctx.call(
        () =>
          callDriver(
            ctx.conn,
            flags
              ? "nwfilterDefineXMLFlags"
              : { method: "nwfilterDefineXMLFlags", api: "virNWFilterDefineXML" },
            xml,
            flags,
          ),
        `Failed to define network filter from ${file}`,
      );
      ctx.printExtra(`Network filter ${f.name} defined from ${file}\n`);
    },
  },
  {
    name: "nwfilter-undefine",
    async run(ctx, args) {
      const ref = await nwfilterArg(ctx, args);
      const arg = args.string("nwfilter");
      await ctx.call(
        () => ctx.conn.call("nwfilterUndefine", ref),
        `Failed to undefine network filter ${arg}`,
      );
      ctx.printExtra(`Network filter ${arg} undefined\n`);
    },
  },
  {
    name: "nwfilter-dumpxml",
    async run(ctx, args) {
      const ref = await nwfilterArg(ctx, args);
      await dumpXML(ctx, args, () => ctx.conn.call("nwfilterGetXMLDesc", ref, 0));
    },
  },
  {
    name: "nwfilter-list",
    async run(ctx) {
      const list = await collectFilters(ctx);
      ctx.print(formatTable(["UUID", "Name"], list.map((f) => [f.uuid, f.name])));
    },
  },
  {
    name: "nwfilter-binding-create",
    async run(ctx, args) {
      const file = ctx.optString(args, "file")!;
      const flags = bits(args, [["validate", VIR.NWFILTER_BINDING_CREATE_VALIDATE]]);
      const xml = await ctx.readFile(file);
      const b = await ctx.call(
        () => ctx.conn.call("nwfilterBindingCreateXML", xml, flags),
        `Failed to create network filter from ${file}`,
      );
      ctx.printExtra(`Network filter binding on ${b.portdev} created from ${file}\n`);
    },
  },
  {
    name: "nwfilter-binding-delete",
    async run(ctx, args) {
      const { ref, arg } = await bindingArg(ctx, args);
      await ctx.call(
        () => ctx.conn.call("nwfilterBindingDelete", ref),
        `Failed to delete network filter binding on ${arg}`,
      );
      ctx.printExtra(`Network filter binding on ${arg} deleted\n`);
    },
  },
  {
    name: "nwfilter-binding-dumpxml",
    async run(ctx, args) {
      const { ref } = await bindingArg(ctx, args);
      // virsh 9.0 never reads --xpath here (its variable stays NULL): the whole document.
      const xml = await ctx.call(() => ctx.conn.call("nwfilterBindingGetXMLDesc", ref, 0));
      ctx.print(xml);
    },
  },
  {
    name: "nwfilter-binding-list",
    async run(ctx) {
      const list = await ctx.call(
        () => ctx.conn.call("connectListAllNWFilterBindings", 0),
        "Failed to list network filter bindings",
      );
      // vshStrcasecmp, as virshNWFilterBindingSorter.
      const key = (b: NWFilterBindingRef) => b.portdev.toLowerCase();
      list.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
      ctx.print(
        formatTable(["Port Dev", "Filter"], list.map((b) => [b.portdev, b.filtername])),
      );
    },
  },
];
