/**
 * Domain lifecycle: `define`, `undefine`, `create`, `start`, `shutdown`, `reboot`, `destroy`,
 * `suspend`, `resume`, `autostart`, `managedsave`, `save`, `restore`.
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { Domain } from "../../domain.ts";
import type { CommandDef } from "../context.ts";
import { domainArg } from "../lookup.ts";
import { bits, data, flags } from "./common.ts";

/**
 * A command that looks up a domain, calls one method and reports
 * "Domain 'ARG' DONE" or "Failed to VERB domain 'ARG'" (virsh prints the argument as given).
 */
function domainAction(
  name: string,
  call: (dom: Domain) => Promise<void>,
  done: string,
  verb: string,
): CommandDef {
  return {
    name,
    options: [data("domain")],
    async run(ctx, args) {
      const { obj: dom, arg } = await domainArg(ctx, args);
      await ctx.call(() => call(dom), `Failed to ${verb} domain '${arg}'`);
      ctx.print(`Domain '${arg}' ${done}\n`);
    },
  };
}

const SAVE_FLAGS = [
  ["bypass-cache", VIR.DOMAIN_SAVE_BYPASS_CACHE],
  ["running", VIR.DOMAIN_SAVE_RUNNING],
  ["paused", VIR.DOMAIN_SAVE_PAUSED],
] as const;

/** The lifecycle command table. */
export const DOMAIN_LIFECYCLE_COMMANDS: CommandDef[] = [
  {
    name: "define",
    options: [data("file"), ...flags("validate")],
    async run(ctx, args) {
      const file = args.string("file")!;
      const xml = await ctx.readFile(file);
      const f = bits(args, [["validate", VIR.DOMAIN_DEFINE_VALIDATE]]);
      const dom = await ctx.call(
        () => ctx.conn.defineXMLFlags(xml, f),
        `Failed to define domain from ${file}`,
      );
      ctx.print(`Domain '${dom.name}' defined from ${file}\n`);
    },
  },
  {
    name: "create",
    options: [data("file"), ...flags("paused", "autodestroy", "validate")],
    async run(ctx, args) {
      const file = args.string("file")!;
      const xml = await ctx.readFile(file);
      const f = bits(args, [
        ["paused", VIR.DOMAIN_START_PAUSED],
        ["autodestroy", VIR.DOMAIN_START_AUTODESTROY],
        ["validate", VIR.DOMAIN_START_VALIDATE],
      ]);
      const dom = await ctx.call(
        () => ctx.conn.createXML(xml, f),
        `Failed to create domain from ${file}`,
      );
      ctx.print(`Domain '${dom.name}' created from ${file}\n`);
    },
  },
  {
    name: "start",
    options: [data("domain"), ...flags("paused", "autodestroy", "bypass-cache", "force-boot")],
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args, { uuid: true, name: true });
      if (dom.id !== -1) ctx.fail("Domain is already active");
      const f = bits(args, [
        ["paused", VIR.DOMAIN_START_PAUSED],
        ["autodestroy", VIR.DOMAIN_START_AUTODESTROY],
        ["bypass-cache", VIR.DOMAIN_START_BYPASS_CACHE],
        ["force-boot", VIR.DOMAIN_START_FORCE_BOOT],
      ]);
      await ctx.call(() => dom.createWithFlags(f), `Failed to start domain '${dom.name}'`);
      ctx.print(`Domain '${dom.name}' started\n`);
    },
  },
  domainAction("undefine", (d) => d.undefine(), "has been undefined", "undefine"),
  domainAction("shutdown", (d) => d.shutdown(), "is being shutdown", "shutdown"),
  domainAction("reboot", (d) => d.reboot(), "is being rebooted", "reboot"),
  domainAction("destroy", (d) => d.destroy(), "destroyed", "destroy"),
  domainAction("suspend", (d) => d.suspend(), "suspended", "suspend"),
  domainAction("resume", (d) => d.resume(), "resumed", "resume"),
  {
    name: "autostart",
    options: [data("domain"), ...flags("disable")],
    async run(ctx, args) {
      const { obj: dom, arg } = await domainArg(ctx, args);
      const on = !args.has("disable");
      const verb = on ? "mark" : "unmark";
      await ctx.call(
        () => dom.setAutostart(on),
        `Failed to ${verb} domain '${arg}' as autostarted`,
      );
      ctx.print(`Domain '${arg}' ${verb}ed as autostarted\n`);
    },
  },
  {
    name: "managedsave",
    options: [data("domain"), ...flags("bypass-cache", "running", "paused", "verbose")],
    async run(ctx, args) {
      const { obj: dom, arg } = await domainArg(ctx, args);
      await ctx.call(
        () => dom.managedSave(bits(args, SAVE_FLAGS)),
        `Failed to save domain '${arg}' state`,
      );
      // virsh's job-progress line leaves the blank line in front.
      ctx.print(`\nDomain '${arg}' state saved by libvirt\n`);
    },
  },
  {
    name: "save",
    options: [
      data("domain"),
      data("file"),
      ...flags("bypass-cache"),
      { name: "xml", kind: "string" },
      ...flags("running", "paused", "verbose"),
    ],
    async run(ctx, args) {
      const { obj: dom, arg } = await domainArg(ctx, args);
      const file = args.string("file")!;
      const xmlFile = args.string("xml");
      const dxml = xmlFile === undefined ? null : await ctx.readFile(xmlFile);
      await ctx.call(
        () => dom.saveFlags(file, dxml, bits(args, SAVE_FLAGS)),
        `Failed to save domain '${arg}' to ${file}`,
      );
      ctx.print(`\nDomain '${arg}' saved to ${file}\n`);
    },
  },
  {
    name: "restore",
    options: [
      data("file"),
      ...flags("bypass-cache"),
      { name: "xml", kind: "string" },
      ...flags("running", "paused"),
    ],
    async run(ctx, args) {
      const file = args.string("file")!;
      const xmlFile = args.string("xml");
      const dxml = xmlFile === undefined ? null : await ctx.readFile(xmlFile);
      await ctx.call(
        () => ctx.conn.restoreFlags(file, dxml, bits(args, SAVE_FLAGS)),
        `Failed to restore domain from ${file}`,
      );
      ctx.print(`Domain restored from ${file}\n`);
    },
  },
];
