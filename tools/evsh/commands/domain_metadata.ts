/**
 * Domain metadata: `metadata`, `desc`. evsh runs no editor, so `--edit` stops with its own
 * error once virsh would open one.
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { Domain } from "../../../client/domain.ts";
import { parseXML } from "../xml_parse.ts";
import type { CommandContext, CommandDef } from "../context.ts";
import { domainArg } from "../lookup.ts";
import { xpathDocument, xpathString } from "../xpath.ts";
import { affectFlags, exclusive } from "./common.ts";
import { editCycle, editText } from "./edit_cycle.ts";
import { VirError } from "../../../util/errors.ts";

/** `virshGetDomainDescription`: the title or description, "" when there is none. */
async function description(
  ctx: CommandContext,
  dom: Domain,
  title: boolean,
  flags: number,
): Promise<string> {
  const type = title ? VIR.DOMAIN_METADATA_TITLE : VIR.DOMAIN_METADATA_DESCRIPTION;
  const r = await ctx.attempt(() => dom.getMetadata(type, null, flags));
  if (r.ok) return r.value;
  if (ctx.lastError?.code === VIR.ERR_NO_DOMAIN_METADATA) {
    ctx.resetError();
    return "";
  }
  if (ctx.lastError?.code !== VIR.ERR_NO_SUPPORT) return ctx.fail();
  const xml = await ctx.call(() => dom.getXMLDesc(flags));
  const doc = xpathDocument(await parseXML(xml));
  return xpathString(doc, title ? "string(./title[1])" : "string(./description[1])") ?? "";
}

/** The metadata command table. */
export const DOMAIN_METADATA_COMMANDS: CommandDef[] = [
  {
    name: "metadata",
    async run(ctx, args) {
      const flags = affectFlags(ctx, args, VIR.DOMAIN_AFFECT_LIVE, VIR.DOMAIN_AFFECT_CONFIG);
      exclusive(ctx, args, "edit", "set");
      exclusive(ctx, args, "remove", "set");
      exclusive(ctx, args, "remove", "edit");
      const { obj: dom } = await domainArg(ctx, args);
      const uri = ctx.optString(args, "uri") ?? null;
      const key = ctx.optString(args, "key") ?? null;
      const set = ctx.optString(args, "set") ?? null;
      const edit = args.has("edit");
      const remove = args.has("remove");
      if ((set !== null || edit) && key === null) {
        ctx.fail("namespace key is required when modifying metadata");
      }
      if (set !== null || remove) {
        await ctx.call(() => dom.setMetadata(VIR.DOMAIN_METADATA_ELEMENT, set, key, uri, flags));
        ctx.printExtra(remove ? "Metadata removed\n" : "Metadata modified\n");
        return;
      }
      if (edit) {
        const r = await editCycle(ctx, {
          // virshDomainGetEditMetadata: no metadata yet is an empty line to edit.
          getXML: async () => {
            try {
              return await dom.getMetadata(VIR.DOMAIN_METADATA_ELEMENT, uri, flags);
            } catch (e) {
              if (!(e instanceof VirError)) throw e;
              return "\n";
            }
          },
          define: (xml) => dom.setMetadata(VIR.DOMAIN_METADATA_ELEMENT, xml, key, uri, flags),
          notChanged: () => {
            ctx.printExtra("Metadata not changed");
            return true;
          },
        });
        if (!r.unchanged) ctx.printExtra("Metadata modified\n");
        return;
      }
      const data = await ctx.call(() => dom.getMetadata(VIR.DOMAIN_METADATA_ELEMENT, uri, flags));
      ctx.print(`${data}\n`);
    },
  },
  {
    name: "desc",
    async run(ctx, args) {
      const flags = affectFlags(ctx, args, VIR.DOMAIN_AFFECT_LIVE, VIR.DOMAIN_AFFECT_CONFIG);
      const query = args.has("config") ? VIR.DOMAIN_XML_INACTIVE : 0;
      const { obj: dom } = await domainArg(ctx, args);
      await ctx.call(() => dom.getState());
      const title = args.has("title");
      const type = title ? VIR.DOMAIN_METADATA_TITLE : VIR.DOMAIN_METADATA_DESCRIPTION;
      const words = args.argv("new-desc");
      const text = words.length ? words.join(" ") : undefined;
      const what = title ? "title" : "description";
      if (args.has("edit") || text !== undefined) {
        const current = await description(ctx, dom, title, query);
        let next = text ?? current;
        if (args.has("edit")) {
          const edited = await editText(ctx, next);
          // Editors like to end a file with a newline; a title has none.
          next = title && edited.endsWith("\n") ? edited.slice(0, -1) : edited;
          if (next === current) {
            ctx.printExtra(`Domain ${what} not changed\n`);
            return;
          }
        }
        const value = next;
        await ctx.call(
          () => dom.setMetadata(type, value, null, null, flags),
          `Failed to set new domain ${what}`,
        );
        ctx.printExtra(`Domain ${what} updated successfully`);
        return;
      }
      const desc = await description(ctx, dom, title, query);
      if (desc.length) ctx.print(desc);
      else ctx.printExtra(`No ${what} for domain: ${dom.name}`);
    },
  },
];
