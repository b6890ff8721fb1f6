/**
 * Snapshot commands: `snapshot-create-as`, `snapshot-create`, `snapshot-dumpxml`,
 * `snapshot-delete`, `snapshot-parent` (virsh-snapshot.c).
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { Domain } from "../../../client/domain.ts";
import type { DomainSnapshot } from "../../../client/snapshot.ts";
import type { CommandContext, CommandDef } from "../context.ts";
import { xmlEscape } from "../format.ts";
import { domainArg } from "../lookup.ts";
import type { Args } from "../options.ts";
import { bits, dumpXML } from "./common.ts";

const CREATE_FLAGS = [
  ["redefine", VIR.DOMAIN_SNAPSHOT_CREATE_REDEFINE],
  ["current", VIR.DOMAIN_SNAPSHOT_CREATE_CURRENT],
  ["no-metadata", VIR.DOMAIN_SNAPSHOT_CREATE_NO_METADATA],
  ["halt", VIR.DOMAIN_SNAPSHOT_CREATE_HALT],
  ["disk-only", VIR.DOMAIN_SNAPSHOT_CREATE_DISK_ONLY],
  ["reuse-external", VIR.DOMAIN_SNAPSHOT_CREATE_REUSE_EXT],
  ["quiesce", VIR.DOMAIN_SNAPSHOT_CREATE_QUIESCE],
  ["atomic", VIR.DOMAIN_SNAPSHOT_CREATE_ATOMIC],
  ["live", VIR.DOMAIN_SNAPSHOT_CREATE_LIVE],
  ["validate", VIR.DOMAIN_SNAPSHOT_CREATE_VALIDATE],
] as const;

/** `virshSnapshotCreate`: create, retry without VALIDATE where unsupported, report the name. */
async function snapshotCreate(
  ctx: CommandContext,
  dom: Domain,
  xml: string,
  flags: number,
  from?: string,
): Promise<void> {
  let r = await ctx.attempt(() => dom.snapshotCreateXML(xml, flags));
  if (!r.ok && ctx.lastError?.code === VIR.ERR_NO_SUPPORT && from === undefined) {
    flags &= ~VIR.DOMAIN_SNAPSHOT_CREATE_VALIDATE;
    r = await ctx.attempt(() => dom.snapshotCreateXML(xml, flags));
  }
  if (!r.ok) ctx.fail();
  const name = r.value.name;
  ctx.printExtra(
    from === undefined
      ? `Domain snapshot ${name} created`
      : `Domain snapshot ${name} created from '${from}'`,
  );
}

/**
 * `virshLookupSnapshot`: by `--<arg>` or `--current`; a failed lookup is reported at once
 * (so nothing more shows when the command then fails).
 */
async function lookupSnapshot(
  ctx: CommandContext,
  args: Args,
  arg: string,
  dom: Domain,
): Promise<DomainSnapshot> {
  const current = args.has("current");
  const name = ctx.optString(args, arg);
  if (current && name !== undefined) ctx.fail(`--${arg} and --current are mutually exclusive`);
  if (name === undefined && !current) ctx.fail(`--${arg} or --current is required`);
  const r = await ctx.attempt(() =>
    name !== undefined ? dom.snapshotLookupByName(name, 0) : dom.snapshotCurrent(0)
  );
  if (!r.ok) {
    ctx.error(ctx.lastError!.message);
    ctx.resetError();
    ctx.fail();
  }
  return r.value;
}

/** The snapshot command table. */
export const SNAPSHOT_COMMANDS: CommandDef[] = [
  {
    name: "snapshot-create-as",
    async run(ctx, args) {
      const flags = bits(args, CREATE_FLAGS);
      const { obj: dom } = await domainArg(ctx, args);
      const name = ctx.optString(args, "name");
      const desc = ctx.optString(args, "description");
      let xml = "<domainsnapshot>\n";
      if (name !== undefined) xml += `  <name>${xmlEscape(name)}</name>\n`;
      if (desc !== undefined) xml += `  <description>${xmlEscape(desc)}</description>\n`;
      if (ctx.optString(args, "memspec") !== undefined || args.has("diskspec")) {
        ctx.fail("snapshot-create-as: --memspec and --diskspec are not implemented in evsh");
      }
      xml += "</domainsnapshot>\n";
      if (args.has("print-xml")) {
        ctx.print(`${xml}\n`);
        return;
      }
      await snapshotCreate(ctx, dom, xml, flags);
    },
  },
  {
    name: "snapshot-create",
    async run(ctx, args) {
      const flags = bits(args, CREATE_FLAGS);
      const { obj: dom } = await domainArg(ctx, args);
      const from = ctx.optString(args, "xmlfile");
      const xml = from === undefined ? "<domainsnapshot/>" : await ctx.readFile(from);
      await snapshotCreate(ctx, dom, xml, flags, from);
    },
  },
  {
    name: "snapshot-dumpxml",
    async run(ctx, args) {
      const flags = bits(args, [["security-info", VIR.DOMAIN_XML_SECURE]]);
      const name = ctx.optString(args, "snapshotname")!;
      const { obj: dom } = await domainArg(ctx, args);
      const snap = await ctx.call(() => dom.snapshotLookupByName(name, 0));
      await dumpXML(ctx, args, () => snap.getXMLDesc(flags));
    },
  },
  {
    name: "snapshot-delete",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      const snap = await lookupSnapshot(ctx, args, "snapshotname", dom);
      const flags = bits(args, [
        ["children", VIR.DOMAIN_SNAPSHOT_DELETE_CHILDREN],
        ["children-only", VIR.DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY],
        ["metadata", VIR.DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY],
      ]);
      await ctx.call(() => snap.delete(flags), `Failed to delete snapshot ${snap.name}`);
      ctx.printExtra(
        flags & VIR.DOMAIN_SNAPSHOT_DELETE_CHILDREN_ONLY
          ? `Domain snapshot ${snap.name} children deleted\n`
          : `Domain snapshot ${snap.name} deleted\n`,
      );
    },
  },
  {
    name: "snapshot-parent",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      const snap = await lookupSnapshot(ctx, args, "snapshotname", dom);
      const parent = await ctx.attempt(() => snap.getParent(0));
      if (!parent.ok && ctx.lastError?.code !== VIR.ERR_NO_DOMAIN_SNAPSHOT) {
        ctx.error(ctx.lastError!.message);
        ctx.resetError();
        ctx.fail("unable to determine if snapshot has parent");
      }
      ctx.resetError();
      if (!parent.ok) return ctx.fail(`snapshot '${snap.name}' has no parent`);
      ctx.print(parent.value.name);
    },
  },
];
