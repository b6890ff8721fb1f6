/**
 * Checkpoint commands: `checkpoint-create`, `checkpoint-create-as`, `checkpoint-info`,
 * `checkpoint-parent`, `checkpoint-dumpxml`, `checkpoint-delete`, `checkpoint-list`
 * (virsh-checkpoint.c).
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { Domain } from "../../../client/domain.ts";
import type { DomainCheckpoint } from "../../../client/checkpoint.ts";
import type { CommandContext, CommandDef } from "../context.ts";
import { xmlEscape } from "../format.ts";
import { domainArg } from "../lookup.ts";
import type { Args } from "../options.ts";
import { splitList } from "../split_list.ts";
import { bits, dumpXML, exclusive, requires } from "./common.ts";
import { momentDelete, momentXML, printMoments, treeFilters } from "./moment_list.ts";

/** `virshCheckpointCreate`. */
async function checkpointCreate(
  ctx: CommandContext,
  dom: Domain,
  xml: string,
  flags: number,
  from?: string,
): Promise<void> {
  const chk = await ctx.call(() => dom.checkpointCreateXML(xml, flags));
  ctx.printExtra(
    from === undefined
      ? `Domain checkpoint ${chk.name} created`
      : `Domain checkpoint ${chk.name} created from '${from}'`,
  );
}

/** `virshLookupCheckpoint`: a failed lookup is reported at once. */
export async function lookupCheckpoint(
  ctx: CommandContext,
  args: Args,
  arg: string,
  dom: Domain,
): Promise<DomainCheckpoint> {
  const name = ctx.optString(args, arg);
  if (name === undefined) ctx.fail(`--${arg} is required`);
  const r = await ctx.attempt(() => dom.checkpointLookupByName(name, 0));
  if (!r.ok) {
    ctx.reportNow();
    return ctx.fail();
  }
  return r.value;
}

/** `virshGetCheckpointParent`: the parent's name, undefined for a root. */
async function parentOf(ctx: CommandContext, chk: DomainCheckpoint): Promise<string | undefined> {
  const r = await ctx.attempt(() => chk.getParent(0));
  if (r.ok) return r.value.name;
  if (ctx.lastError?.code === VIR.ERR_NO_DOMAIN_CHECKPOINT) {
    ctx.resetError();
    return undefined;
  }
  ctx.error(ctx.lastError!.message);
  ctx.resetError();
  return ctx.fail("unable to determine if checkpoint has parent");
}

/**
 * `virshParseCheckpointDiskspec`: `name[,checkpoint=…][,bitmap=…]` as a `<disk>` line; an empty
 * spec is the bare `/>` (a NULL name, as in the snapshot's diskspec).
 */
function diskspec(ctx: CommandContext, spec: string): string {
  if (spec === "") return "    />\n";
  const [name, ...rest] = splitList(spec);
  let checkpoint: string | undefined;
  let bitmap: string | undefined;
  for (const part of rest) {
    if (checkpoint === undefined && part.startsWith("checkpoint=")) {
      checkpoint = part.slice("checkpoint=".length);
    } else if (bitmap === undefined && part.startsWith("bitmap=")) {
      bitmap = part.slice("bitmap=".length);
    } else ctx.fail(`unable to parse diskspec: ${spec}`);
  }
  return `    <disk name='${xmlEscape(name)}'` +
    (checkpoint !== undefined ? ` checkpoint='${checkpoint}'` : "") +
    (bitmap !== undefined ? ` bitmap='${bitmap}'` : "") + "/>\n";
}

/** The checkpoint command table. */
export const CHECKPOINT_COMMANDS: CommandDef[] = [
  {
    name: "checkpoint-create",
    async run(ctx, args) {
      requires(ctx, args, "redefine-validate", "redefine");
      const flags = bits(args, [
        ["redefine", VIR.DOMAIN_CHECKPOINT_CREATE_REDEFINE],
        ["redefine-validate", VIR.DOMAIN_CHECKPOINT_CREATE_REDEFINE_VALIDATE],
        ["quiesce", VIR.DOMAIN_CHECKPOINT_CREATE_QUIESCE],
      ]);
      const { obj: dom } = await domainArg(ctx, args);
      const from = ctx.optString(args, "xmlfile");
      const xml = from === undefined ? "<domaincheckpoint/>" : await ctx.readFile(from);
      await checkpointCreate(ctx, dom, xml, flags, from);
    },
  },
  {
    name: "checkpoint-create-as",
    async run(ctx, args) {
      const flags = bits(args, [["quiesce", VIR.DOMAIN_CHECKPOINT_CREATE_QUIESCE]]);
      const { obj: dom } = await domainArg(ctx, args);
      const xml = momentXML(ctx, args, "domaincheckpoint", diskspec);
      if (args.has("print-xml")) {
        ctx.print(`${xml}\n`);
        return;
      }
      await checkpointCreate(ctx, dom, xml, flags);
    },
  },
  {
    name: "checkpoint-info",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      const chk = await lookupCheckpoint(ctx, args, "checkpointname", dom);
      ctx.print(`${"Name:".padEnd(15)} ${chk.name}\n`);
      ctx.print(`${"Domain:".padEnd(15)} ${dom.name}\n`);
      const r = await ctx.attempt(() => chk.getParent(0));
      let parent: string | undefined;
      if (r.ok) parent = r.value.name;
      else if (ctx.lastError?.code !== VIR.ERR_NO_DOMAIN_CHECKPOINT) {
        ctx.reportNow();
        ctx.error("unable to determine if checkpoint has parent");
        ctx.fail("unexpected problem querying checkpoint state");
      }
      ctx.resetError();
      ctx.print(`${"Parent:".padEnd(15)} ${parent ?? "-"}\n`);
      const children = await ctx.attempt(() => chk.listAllChildren(0));
      if (!children.ok) {
        if (ctx.lastError?.code === VIR.ERR_NO_SUPPORT) return ctx.resetError();
        return ctx.fail();
      }
      ctx.print(`${"Children:".padEnd(15)} ${children.value.length}\n`);
      const all = await ctx.call(() => chk.listAllChildren(VIR.DOMAIN_CHECKPOINT_LIST_DESCENDANTS));
      ctx.print(`${"Descendants:".padEnd(15)} ${all.length}\n`);
    },
  },
  {
    name: "checkpoint-parent",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      const chk = await lookupCheckpoint(ctx, args, "checkpointname", dom);
      const parent = await parentOf(ctx, chk);
      if (parent === undefined) return ctx.fail(`checkpoint '${chk.name}' has no parent`);
      ctx.print(parent);
    },
  },
  {
    name: "checkpoint-dumpxml",
    async run(ctx, args) {
      const flags = bits(args, [
        ["security-info", VIR.DOMAIN_CHECKPOINT_XML_SECURE],
        ["no-domain", VIR.DOMAIN_CHECKPOINT_XML_NO_DOMAIN],
        ["size", VIR.DOMAIN_CHECKPOINT_XML_SIZE],
      ]);
      const { obj: dom } = await domainArg(ctx, args);
      if (ctx.optStringQuiet(args, "xpath") === null) return ctx.fail();
      const chk = await lookupCheckpoint(ctx, args, "checkpointname", dom);
      await dumpXML(ctx, args, () => chk.getXMLDesc(flags));
    },
  },
  momentDelete(
    "checkpoint-delete",
    "checkpoint",
    (ctx, args, dom) => lookupCheckpoint(ctx, args, "checkpointname", dom),
    [
      VIR.DOMAIN_CHECKPOINT_DELETE_CHILDREN,
      VIR.DOMAIN_CHECKPOINT_DELETE_CHILDREN_ONLY,
      VIR.DOMAIN_CHECKPOINT_DELETE_METADATA_ONLY,
    ],
  ),
  {
    name: "checkpoint-list",
    async run(ctx, args) {
      const from = args.has("from");
      exclusive(ctx, args, "tree", "name");
      exclusive(ctx, args, "parent", "roots");
      exclusive(ctx, args, "parent", "tree");
      exclusive(ctx, args, "roots", "tree");
      exclusive(ctx, args, "roots", "from");
      let flags = treeFilters(ctx, args, [
        ["leaves", VIR.DOMAIN_CHECKPOINT_LIST_LEAVES],
        ["no-leaves", VIR.DOMAIN_CHECKPOINT_LIST_NO_LEAVES],
      ]);
      flags |= bits(args, [
        ["topological", VIR.DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL],
        ["roots", VIR.DOMAIN_CHECKPOINT_LIST_ROOTS],
      ]);
      if (args.has("descendants")) {
        if (!from) ctx.fail("--descendants requires --from");
        flags |= VIR.DOMAIN_CHECKPOINT_LIST_DESCENDANTS;
      }
      const { obj: dom } = await domainArg(ctx, args);
      const start = from ? await lookupCheckpoint(ctx, args, "from", dom) : undefined;
      const list = await ctx.call(
        () => (start ? start.listAllChildren(flags) : dom.listAllCheckpoints(flags)),
        "unexpected problem querying checkpoints",
      );
      await printMoments(ctx, args, {
        list,
        start,
        topological: (flags & VIR.DOMAIN_CHECKPOINT_LIST_TOPOLOGICAL) !== 0,
        parentOf: (c) => parentOf(ctx, c),
        root: "domaincheckpoint",
      });
    },
  },
];
