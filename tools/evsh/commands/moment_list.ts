/**
 * What `snapshot-list` and `checkpoint-list` share (virsh's `virsh*ListCollect` and list
 * printing): the `--tree` view, `--name`, and the table of creation times.
 * @module
 */
import { parseXML } from "../xml_parse.ts";
import type { Domain } from "../../../client/domain.ts";
import type { CommandContext, CommandDef } from "../context.ts";
import { domainArg } from "../lookup.ts";
import type { Args } from "../options.ts";
import { xmlEscape } from "../format.ts";
import { formatTable } from "../table.ts";
import { formatTree } from "../tree.ts";
import { type XNode, xpathDocument, xpathString } from "../xpath.ts";

/** A snapshot or checkpoint handle. */
export interface Moment {
  readonly name: string;
  getXMLDesc(flags?: number): Promise<string>;
}

/** How one list command reads its moments. */
export interface MomentListSpec<T extends Moment> {
  /** The listed moments, as the list API answered. */
  list: T[];
  /** `--from`/`--current`: shown as a root of the tree. */
  start?: T;
  /** Keep the API's order (`--topological`) rather than sorting by name. */
  topological: boolean;
  /** The parent's name, undefined for a root (`virshGet*Parent`). */
  parentOf(m: T): Promise<string | undefined>;
  /** The root element of the moment's XML (`domainsnapshot`, `domaincheckpoint`). */
  root: string;
  /** Extra columns after the creation time, from the moment's XML (the snapshot state). */
  extra?: { header: string[]; cells(doc: { doc: XNode; context: XNode }): string[] | undefined };
}

/**
 * `snapshot-delete` and `checkpoint-delete`: look the moment up, delete it (or its children)
 * with the `--children`, `--children-only` and `--metadata` bits given.
 *
 * @example
 * ```ts
 * // momentDelete("checkpoint-delete", "checkpoint", lookup, [1, 4, 2])
 * ```
 */
export function momentDelete<T extends Moment & { delete(flags: number): Promise<void> }>(
  name: string,
  word: string,
  lookup: (ctx: CommandContext, args: Args, dom: Domain) => Promise<T>,
  [children, childrenOnly, metadata]: readonly [number, number, number],
): CommandDef {
  return {
    name,
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      const m = await lookup(ctx, args, dom);
      const flags = (args.has("children") ? children : 0) |
        (args.has("children-only") ? childrenOnly : 0) | (args.has("metadata") ? metadata : 0);
      await ctx.call(() => m.delete(flags), `Failed to delete ${word} ${m.name}`);
      ctx.printExtra(
        flags & childrenOnly
          ? `Domain ${word} ${m.name} children deleted\n`
          : `Domain ${word} ${m.name} deleted\n`,
      );
    },
  };
}

/**
 * The document `snapshot-create-as` and `checkpoint-create-as` build: name, description, what
 * `middle` adds (the snapshot's memory), and one `<disk>` per `--diskspec` from `disk`.
 *
 * @example
 * ```ts
 * // momentXML(ctx, args, "domaincheckpoint", diskspec) for --name c1:
 * // "<domaincheckpoint>\n  <name>c1</name>\n</domaincheckpoint>\n"
 * ```
 */
export function momentXML(
  ctx: CommandContext,
  args: Args,
  root: string,
  disk: (ctx: CommandContext, spec: string) => string,
  middle: () => string = () => "",
): string {
  const name = ctx.optString(args, "name");
  const desc = ctx.optString(args, "description");
  let xml = `<${root}>\n`;
  if (name !== undefined) xml += `  <name>${xmlEscape(name)}</name>\n`;
  if (desc !== undefined) xml += `  <description>${xmlEscape(desc)}</description>\n`;
  xml += middle();
  if (args.has("diskspec")) {
    xml += "  <disks>\n";
    for (const spec of args.argv("diskspec")) xml += disk(ctx, spec);
    xml += "  </disks>\n";
  }
  return xml + `</${root}>\n`;
}

/**
 * virsh's `FILTER` options of the list commands: each sets its flag bit, and none goes with
 * `--tree`.
 */
export function treeFilters(
  ctx: CommandContext,
  args: Args,
  table: readonly (readonly [string, number])[],
): number {
  let flags = 0;
  for (const [opt, bit] of table) {
    if (!args.has(opt)) continue;
    if (args.has("tree")) ctx.fail(`--${opt} and --tree are mutually exclusive`);
    flags |= bit;
  }
  return flags;
}

/** `g_date_time_format(…, "%Y-%m-%d %H:%M:%S %z")` in local time. */
export function localTime(seconds: number): string {
  const d = new Date(seconds * 1000);
  const p = (n: number) => String(Math.abs(n)).padStart(2, "0");
  const off = -d.getTimezoneOffset();
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ` +
    `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ` +
    `${off < 0 ? "-" : "+"}${p(Math.trunc(off / 60))}${p(off % 60)}`;
}

/** Prints the list as `--tree`, `--name`, or the table (with `--parent`, a parent column). */
export async function printMoments<T extends Moment>(
  ctx: CommandContext,
  args: Args,
  spec: MomentListSpec<T>,
): Promise<void> {
  const tree = args.has("tree");
  const items = spec.list.map((m) => ({ m, parent: undefined as string | undefined }));
  if (tree) {
    for (const it of items) it.parent = await spec.parentOf(it.m);
    if (spec.start) items.push({ m: spec.start, parent: undefined });
  }
  if (!spec.topological) {
    items.sort((a, b) => (a.m.name < b.m.name ? -1 : a.m.name > b.m.name ? 1 : 0));
  }
  if (tree) {
    const names = items.map((i) => i.m.name);
    const parents = items.map((i) => i.parent);
    for (let i = 0; i < names.length; i++) {
      if (parents[i] === undefined) ctx.print(formatTree(names, parents, i));
    }
    return;
  }
  if (args.has("name")) {
    for (const { m } of items) ctx.print(`${m.name}\n`);
    return;
  }
  const withParent = args.has("parent");
  const rows: string[][] = [];
  for (const { m } of items) {
    const xml = await ctx.attempt(() => m.getXMLDesc(0));
    if (!xml.ok) continue;
    const doc = xpathDocument(await parseXML(xml.value));
    const parent = xpathString(doc, `string(/${spec.root}/parent/name)`) ?? "";
    const extra = spec.extra ? spec.extra.cells(doc) : [];
    if (!extra) continue;
    const created = xpathString(doc, `string(/${spec.root}/creationTime)`);
    if (created === undefined || !/^\s*[+-]?\d+$/.test(created)) continue;
    const when = localTime(Number(created));
    rows.push([m.name, when, ...extra, ...(withParent ? [parent] : [])]);
  }
  const header = ["Name", "Creation Time", ...(spec.extra?.header ?? [])];
  ctx.print(formatTable(withParent ? [...header, "Parent"] : header, rows));
}
