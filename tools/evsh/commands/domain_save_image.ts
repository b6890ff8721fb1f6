/**
 * Saved states and jobs: `managedsave-dumpxml`, `managedsave-define`, `managedsave-remove`,
 * `managedsave-edit`, `save-image-dumpxml`, `save-image-define`, `save-image-edit`,
 * `domjobinfo`, `domjobabort`, `dump`.
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import { callDriver } from "../../../client/handle.ts";
import type { CommandDef } from "../context.ts";
import { domainArg } from "../lookup.ts";
import { bits, dumpXML, exclusive, jobDone, requires } from "./common.ts";
import { editCycle } from "./edit_cycle.ts";

const SAVE_STATE: readonly (readonly [string, number])[] = [
  ["running", VIR.DOMAIN_SAVE_RUNNING],
  ["paused", VIR.DOMAIN_SAVE_PAUSED],
];

/** `virshDomainCoreDumpFormat`: "elf" is the raw format. */
const DUMP_FORMATS = ["elf", "kdump-zlib", "kdump-lzo", "kdump-snappy", "win-dmp"];

const JOB_TYPES = ["None", "Bounded", "Unbounded", "Completed", "Failed", "Cancelled"];

/** The saved state and job command table. */
export const DOMAIN_SAVE_IMAGE_COMMANDS: CommandDef[] = [
  {
    name: "managedsave-dumpxml",
    async run(ctx, args) {
      const flags = bits(args, [["security-info", VIR.DOMAIN_XML_SECURE]]);
      const { obj: dom } = await domainArg(ctx, args);
      await dumpXML(ctx, args, () => ctx.conn.call("domainManagedSaveGetXMLDesc", dom.ref, flags));
    },
  },
  {
    name: "managedsave-define",
    async run(ctx, args) {
      const flags = bits(args, SAVE_STATE);
      exclusive(ctx, args, "running", "paused");
      const file = ctx.optString(args, "xml")!;
      const xml = await ctx.readFile(file);
      const { obj: dom } = await domainArg(ctx, args);
      await ctx.call(
        () => ctx.conn.call("domainManagedSaveDefineXML", dom.ref, xml, flags),
        `Failed to update ${dom.name} XML configuration`,
      );
      ctx.printExtra(`Managed save state file of domain '${dom.name}' updated.\n`);
    },
  },
  {
    name: "managedsave-remove",
    async run(ctx, args) {
      const { obj: dom, arg } = await domainArg(ctx, args);
      const has = await ctx.call(
        () => dom.hasManagedSaveImage(),
        "Failed to check for domain managed save image",
      );
      if (!has) {
        ctx.printExtra(`Domain '${arg}' has no manage save image; removal skipped`);
        return;
      }
      await ctx.call(
        () => dom.managedSaveRemove(),
        `Failed to remove managed save image for domain '${arg}'`,
      );
      ctx.printExtra(`Removed managedsave image for domain '${arg}'`);
    },
  },
  {
    name: "managedsave-edit",
    async run(ctx, args) {
      const flags = bits(args, SAVE_STATE);
      exclusive(ctx, args, "running", "paused");
      const { obj: dom } = await domainArg(ctx, args);
      const r = await editCycle(ctx, {
        getXML: () => ctx.conn.call("domainManagedSaveGetXMLDesc", dom.ref, VIR.DOMAIN_XML_SECURE),
        define: (xml) => ctx.conn.call("domainManagedSaveDefineXML", dom.ref, xml, flags),
        notChanged: () => {
          ctx.printExtra(
            `Managed save image of domain '${dom.name}' XML configuration not changed.\n`,
          );
          return true;
        },
      });
      if (r.unchanged) return;
      ctx.printExtra(
        `Managed save image of Domain '${dom.name}' XML configuration edited.\n`,
      );
    },
  },
  {
    name: "save-image-dumpxml",
    async run(ctx, args) {
      const flags = bits(args, [["security-info", VIR.DOMAIN_XML_SECURE]]);
      const file = ctx.optString(args, "file")!;
      await dumpXML(
        ctx,
        args,
        () => ctx.conn.call("domainSaveImageGetXMLDesc", ctx.absolutePath(file), flags),
      );
    },
  },
  {
    name: "save-image-define",
    async run(ctx, args) {
      const flags = bits(args, SAVE_STATE);
      const file = ctx.optString(args, "file")!;
      const xmlFile = ctx.optString(args, "xml")!;
      const xml = await ctx.readFile(xmlFile);
      await ctx.call(
        () => ctx.conn.call("domainSaveImageDefineXML", ctx.absolutePath(file), xml, flags),
        `Failed to update ${file}`,
      );
      ctx.printExtra(`State file ${file} updated.\n`);
    },
  },
  {
    name: "save-image-edit",
    async run(ctx, args) {
      const flags = bits(args, SAVE_STATE);
      exclusive(ctx, args, "running", "paused");
      const file = ctx.optString(args, "file")!;
      const path = ctx.absolutePath(file);
      const r = await editCycle(ctx, {
        getXML: () => ctx.conn.call("domainSaveImageGetXMLDesc", path, VIR.DOMAIN_XML_SECURE),
        define: (xml) => ctx.conn.call("domainSaveImageDefineXML", path, xml, flags),
        notChanged: () => {
          ctx.printExtra(`Saved image ${file} XML configuration not changed.\n`);
          return true;
        },
      });
      if (!r.unchanged) ctx.printExtra(`State file ${file} edited.\n`);
    },
  },
  {
    name: "domjobinfo",
    async run(ctx, args) {
      requires(ctx, args, "keep-completed", "completed");
      const { obj: dom } = await domainArg(ctx, args);
      const flags = bits(args, [
        ["completed", VIR.DOMAIN_JOB_STATS_COMPLETED],
        ["keep-completed", VIR.DOMAIN_JOB_STATS_KEEP_COMPLETED],
      ]);
      let r = await ctx.attempt(() => ctx.conn.call("domainGetJobStats", dom.ref, flags));
      if (!r.ok && ctx.lastError?.code === VIR.ERR_NO_SUPPORT) {
        if (flags || args.has("rawstats")) {
          ctx.fail("Optional flags or --rawstats are not supported by the daemon");
        }
        ctx.resetError();
        r = await ctx.attempt(() => ctx.conn.call("domainGetJobInfo", dom.ref));
      }
      if (!r.ok) return ctx.fail();
      const type = Number(r.value.type ?? 0);
      if (args.has("rawstats") || type !== 0) {
        ctx.fail("evsh does not render the statistics of a domain job");
      }
      ctx.print(`${"Job type:".padEnd(17)} ${JOB_TYPES[type].padEnd(12)}\n`);
    },
  },
  {
    name: "domjobabort",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      await ctx.call(() =>
        args.has("postcopy")
          ? dom.abortJobFlags(VIR.DOMAIN_ABORT_JOB_POSTCOPY)
          : ctx.conn.call("domainAbortJob", dom.ref)
      );
    },
  },
  {
    name: "dump",
    async run(ctx, args) {
      const { arg } = await domainArg(ctx, args);
      const to = ctx.optString(args, "file")!;
      const { obj: dom } = await domainArg(ctx, args);
      const flags = bits(args, [
        ["live", VIR.DUMP_LIVE],
        ["crash", VIR.DUMP_CRASH],
        ["bypass-cache", VIR.DUMP_BYPASS_CACHE],
        ["reset", VIR.DUMP_RESET],
        ["memory-only", VIR.DUMP_MEMORY_ONLY],
      ]);
      let format = 0;
      if (args.has("format")) {
        if (!(flags & VIR.DUMP_MEMORY_ONLY)) ctx.fail("--format only works with --memory-only");
        const text = ctx.optStringQuiet(args, "format");
        if (text) {
          format = DUMP_FORMATS.indexOf(text);
          if (format < 0) {
            ctx.fail(
              `format '${text}' is not supported, expecting 'kdump-zlib', 'kdump-lzo', ` +
                "'kdump-snappy', 'win-dmp' or 'elf'",
            );
          }
        }
      }
      // "elf" is the raw format, which virsh asks for through virDomainCoreDump.
      const call = format
        ? "domainCoreDumpWithFormat" as const
        : { method: "domainCoreDumpWithFormat" as const, api: "virDomainCoreDump" };
      await ctx.call(
        () => callDriver(ctx.conn, call, dom.ref, ctx.absolutePath(to), format, flags),
        `Failed to core dump domain '${arg}' to ${to}`,
      );
      jobDone(ctx, args, "Dump");
      ctx.printExtra(`\nDomain '${arg}' dumped to ${to}\n`);
    },
  },
];
