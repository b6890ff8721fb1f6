/**
 * Domain lifecycle: `define`, `undefine`, `create`, `start`, `shutdown`, `reboot`, `destroy`,
 * `suspend`, `resume`, `autostart`, `managedsave`, `save`, `restore`.
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { Domain } from "../../../client/domain.ts";
import type { CommandDef } from "../context.ts";
import { domainArg } from "../lookup.ts";
import { runConsole } from "./domain_console.ts";
import { undefineDomain } from "./domain_undefine.ts";
import {
  actionsOf,
  autostartAction,
  bits,
  exclusive,
  fromFileAction,
  jobDone,
  passFds,
  requires,
} from "./common.ts";

const domainAction = actionsOf<Domain>("Domain", (ctx, args) => domainArg(ctx, args), true);

const SAVE_FLAGS = [
  ["bypass-cache", VIR.DOMAIN_SAVE_BYPASS_CACHE],
  ["running", VIR.DOMAIN_SAVE_RUNNING],
  ["paused", VIR.DOMAIN_SAVE_PAUSED],
  ["reset-nvram", VIR.DOMAIN_SAVE_RESET_NVRAM],
] as const;

/**
 * `--mode` of `shutdown` and `reboot`: comma-separated method names as
 * `VIR_DOMAIN_SHUTDOWN_*`/`VIR_DOMAIN_REBOOT_*` bits (the two enums share their values).
 */
const POWER_MODES: Record<string, number> = {
  acpi: VIR.DOMAIN_REBOOT_ACPI_POWER_BTN,
  agent: VIR.DOMAIN_REBOOT_GUEST_AGENT,
  initctl: VIR.DOMAIN_REBOOT_INITCTL,
  signal: VIR.DOMAIN_REBOOT_SIGNAL,
  paravirt: VIR.DOMAIN_REBOOT_PARAVIRT,
};

/** `shutdown`, `reboot`: the modes read before the domain is looked up. */
function powerAction(
  name: string,
  call: (dom: Domain, flags: number) => Promise<void>,
  done: string,
): CommandDef {
  return {
    name,
    async run(ctx, args) {
      const mode = ctx.optString(args, "mode");
      let flags = 0;
      for (const m of mode === undefined ? [] : mode.split(",")) {
        if (!Object.hasOwn(POWER_MODES, m)) {
          // shutdown's message has a comma before "or", reboot's has none.
          const last = name === "shutdown" ? "'signal', or" : "'signal' or";
          ctx.fail(
            `Unknown mode ${m} value, expecting 'acpi', 'agent', 'initctl', ${last} 'paravirt'`,
          );
        }
        flags |= POWER_MODES[m];
      }
      const { obj: dom, arg } = await domainArg(ctx, args);
      await ctx.call(() => call(dom, flags), `Failed to ${name} domain '${arg}'`);
      ctx.printExtra(`Domain '${arg}' ${done}\n`);
    },
  };
}

/** The lifecycle command table. */
export const DOMAIN_LIFECYCLE_COMMANDS: CommandDef[] = [
  fromFileAction(
    "define",
    (ctx, xml, args) =>
      ctx.conn.defineXMLFlags(xml, bits(args, [["validate", VIR.DOMAIN_DEFINE_VALIDATE]])),
    (name, file) => `Domain '${name}' defined from ${file}`,
    (file) => `Failed to define domain from ${file}`,
  ),
  {
    name: "create",
    async run(ctx, args) {
      const file = ctx.optString(args, "file")!;
      const xml = await ctx.readFile(file);
      const fds = passFds(ctx, args);
      const f = bits(args, [
        ["paused", VIR.DOMAIN_START_PAUSED],
        ["autodestroy", VIR.DOMAIN_START_AUTODESTROY],
        ["validate", VIR.DOMAIN_START_VALIDATE],
        ["reset-nvram", VIR.DOMAIN_START_RESET_NVRAM],
      ]);
      const dom = await ctx.call(
        () => (fds.length ? ctx.conn.createXMLWithFiles(xml, fds, f) : ctx.conn.createXML(xml, f)),
        `Failed to create domain from ${file}`,
      );
      ctx.printExtra(`Domain '${dom.name}' created from ${file}\n`);
      // As virsh: how the console went does not change the outcome of the create.
      if (args.has("console")) {
        await runConsole(ctx, dom, null, 0);
        ctx.resetError();
      }
    },
  },
  {
    name: "start",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args, { uuid: true, name: true });
      if (dom.id !== -1) ctx.fail("Domain is already active");
      let f = bits(args, [
        ["paused", VIR.DOMAIN_START_PAUSED],
        ["autodestroy", VIR.DOMAIN_START_AUTODESTROY],
        ["bypass-cache", VIR.DOMAIN_START_BYPASS_CACHE],
        ["force-boot", VIR.DOMAIN_START_FORCE_BOOT],
      ]);
      // virsh emulates a forced boot a driver refuses: it removes the managed save image, if
      // any, and starts the domain without the flag.
      const forced = f & VIR.DOMAIN_START_FORCE_BOOT &&
        (await ctx.attempt(() => dom.createWithFlags(f))).ok;
      if (!forced && f & VIR.DOMAIN_START_FORCE_BOOT) {
        const code = ctx.lastError?.code;
        if (code !== VIR.ERR_NO_SUPPORT && code !== VIR.ERR_INVALID_ARG) ctx.fail();
        ctx.resetError();
        const saved = await ctx.attempt(() => dom.hasManagedSaveImage(0));
        if (!saved.ok) ctx.resetError();
        else if (saved.value) await ctx.call(() => dom.managedSaveRemove(0));
        f &= ~VIR.DOMAIN_START_FORCE_BOOT;
      }
      if (!forced) {
        await ctx.call(() => dom.createWithFlags(f), `Failed to start domain '${dom.name}'`);
      }
      ctx.printExtra(`Domain '${dom.name}' started\n`);
      if (args.has("console")) return await runConsole(ctx, dom, null, 0);
    },
  },
  {
    name: "undefine",
    async run(ctx, args) {
      // virsh's checks that come before the domain is looked up.
      requires(ctx, args, "delete-storage-volume-snapshots", "remove-all-storage");
      exclusive(ctx, args, "nvram", "keep-nvram");
      exclusive(ctx, args, "tpm", "keep-tpm");
      const storage = ctx.optStringQuiet(args, "storage");
      if (!(storage || args.has("remove-all-storage")) && args.has("wipe-storage")) {
        ctx.fail("'--wipe-storage' requires '--storage <string>' or '--remove-all-storage'");
      }
      const { obj: dom, arg } = await domainArg(ctx, args);
      await undefineDomain(ctx, dom, arg, args);
    },
  },
  domainAction("reset", (d) => d.reset(0), "was reset", "reset"),
  {
    name: "domrename",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      const newName = ctx.optString(args, "new-name")!;
      await ctx.call(() => ctx.conn.call("domainRename", dom.ref, newName, 0));
      ctx.printExtra("Domain successfully renamed\n");
    },
  },
  powerAction("shutdown", (d, f) => f ? d.shutdownFlags(f) : d.shutdown(), "is being shutdown"),
  powerAction("reboot", (d, f) => d.reboot(f), "is being rebooted"),
  {
    name: "destroy",
    async run(ctx, args) {
      const { obj: dom, arg } = await domainArg(ctx, args);
      const flags = bits(args, [
        ["graceful", VIR.DOMAIN_DESTROY_GRACEFUL],
        ["remove-logs", VIR.DOMAIN_DESTROY_REMOVE_LOGS],
      ]);
      await ctx.call(
        () => (flags ? dom.destroyFlags(flags) : dom.destroy()),
        `Failed to destroy domain '${arg}'`,
      );
      ctx.printExtra(`Domain '${arg}' destroyed\n`);
    },
  },
  domainAction("suspend", (d) => d.suspend(), "suspended", "suspend"),
  domainAction("resume", (d) => d.resume(), "resumed", "resume"),
  autostartAction(
    "autostart",
    (ctx, args) => domainArg(ctx, args),
    (arg) => `Domain '${arg}'`,
    (verb, arg) => `Failed to ${verb} domain '${arg}' as autostarted`,
  ),
  {
    name: "managedsave",
    async run(ctx, args) {
      const { obj: dom, arg } = await domainArg(ctx, args);
      await ctx.call(
        () => dom.managedSave(bits(args, SAVE_FLAGS)),
        `Failed to save domain '${arg}' state`,
      );
      jobDone(ctx, args, "Managedsave");
      // virsh's job-progress line leaves the blank line in front.
      ctx.print(`\nDomain '${arg}' state saved by libvirt\n`);
    },
  },
  {
    name: "save",
    async run(ctx, args) {
      const { obj: dom, arg } = await domainArg(ctx, args);
      const file = args.string("file")!;
      const xmlFile = args.string("xml");
      const dxml = xmlFile === undefined ? null : await ctx.readFile(xmlFile);
      await ctx.call(
        () => dom.saveFlags(ctx.absolutePath(file), dxml, bits(args, SAVE_FLAGS)),
        `Failed to save domain '${arg}' to ${file}`,
      );
      jobDone(ctx, args, "Save");
      ctx.print(`\nDomain '${arg}' saved to ${file}\n`);
    },
  },
  {
    name: "restore",
    async run(ctx, args) {
      const file = args.string("file")!;
      const xmlFile = args.string("xml");
      const dxml = xmlFile === undefined ? null : await ctx.readFile(xmlFile);
      await ctx.call(
        () => ctx.conn.restoreFlags(ctx.absolutePath(file), dxml, bits(args, SAVE_FLAGS)),
        `Failed to restore domain from ${file}`,
      );
      ctx.print(`Domain restored from ${file}\n`);
    },
  },
];
