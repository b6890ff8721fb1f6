/**
 * Hypervisor-specific and one-off domain commands: `qemu-monitor-command`, `qemu-attach`,
 * `qemu-agent-command`, `lxc-enter-namespace`, `domsetlaunchsecstate`, `backup-begin`,
 * `backup-dumpxml`, `dom-fd-associate`, `ttyconsole`, `domxml-from-native`,
 * `domxml-to-native`. Where the driver contract declares no API (all but the XML ones and the
 * agent command), after virsh's own checks they fail as libvirt does for a driver without them.
 * @module
 */
import { parseXML } from "../xml_parse.ts";
import type { CommandDef } from "../context.ts";
import { domainArg } from "../lookup.ts";
import { xpathDocument, xpathString } from "../xpath.ts";
import { VirError } from "../../../util/errors.ts";
import {
  dumpXML,
  exclusive,
  failWith,
  passFds,
  undeclared,
  undeclaredDomainCommand,
} from "./common.ts";
import { VIR } from "../../../util/constants.ts";

function isObject(text: string): boolean {
  try {
    const v = JSON.parse(text);
    return typeof v === "object" && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

/** `cmdQemuMonitorCommandQMPWrap`: the words as a QMP command, or virsh's wrapping error. */
function qmpWrap(words: string[]): string | { error: string } {
  const full = words.join(" ");
  if (isObject(full)) return full;
  const [name, ...rest] = words;
  const fullArgs = rest.join(" ");
  let args: unknown = undefined;
  if (rest.length && isObject(fullArgs)) args = JSON.parse(fullArgs);
  else if (rest.length) {
    try {
      args = JSON.parse(`{${rest.join(",")}}`);
    } catch {
      return { error: `failed to wrap arguments '${fullArgs}' into a QMP command wrapper` };
    }
  }
  return JSON.stringify(
    args === undefined ? { execute: name } : { execute: name, arguments: args },
  );
}

/** The hypervisor-specific command table. */
export const DOMAIN_MISC_COMMANDS: CommandDef[] = [
  {
    name: "qemu-monitor-command",
    async run(ctx, args) {
      exclusive(ctx, args, "hmp", "pretty");
      exclusive(ctx, args, "hmp", "return-value");
      await domainArg(ctx, args);
      if (!args.has("hmp")) {
        const wrapped = qmpWrap(args.argv("cmd"));
        if (typeof wrapped !== "string") ctx.fail(wrapped.error);
      }
      const fds = passFds(ctx, args);
      undeclared(
        ctx,
        fds.length ? "virDomainQemuMonitorCommandWithFiles" : "virDomainQemuMonitorCommand",
      );
    },
  },
  {
    name: "qemu-attach",
    run(ctx, args) {
      const pid = ctx.optInt(args, "pid", "uip");
      if (pid === undefined) ctx.fail();
      undeclared(ctx, "virDomainQemuAttach", `Failed to attach to pid ${pid}`);
    },
  },
  {
    name: "qemu-agent-command",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      const cmd = args.argv("cmd").join(" ");
      const timeout = ctx.optInt(args, "timeout", "i");
      let judge = timeout === undefined ? 0 : 1;
      if (judge && timeout! < 1) ctx.fail("timeout must be positive");
      // VIR_DOMAIN_QEMU_AGENT_COMMAND_NOWAIT, _BLOCK and _DEFAULT.
      let wait = timeout ?? -1;
      if (args.has("async")) {
        wait = 0;
        judge++;
      }
      if (args.has("block")) {
        wait = -2;
        judge++;
      }
      if (judge > 1) ctx.fail("timeout, async and block options are exclusive");
      let result = await ctx.call(() => dom.qemuAgentCommand(cmd, wait, 0));
      if (args.has("pretty")) {
        try {
          result = JSON.stringify(JSON.parse(result), null, 2);
        } catch {
          // virsh prints what it cannot reformat as it came.
        }
      }
      ctx.print(`${result}\n`);
    },
  },
  undeclaredDomainCommand("lxc-enter-namespace", "virDomainLxcOpenNamespace"),
  {
    name: "domsetlaunchsecstate",
    async run(ctx, args) {
      await domainArg(ctx, args);
      const hdr = ctx.optString(args, "secrethdr");
      const sec = ctx.optString(args, "secret");
      if (hdr === undefined || sec === undefined) {
        return ctx.fail("Both secret and the secret header are required");
      }
      await ctx.readFile(hdr);
      await ctx.readFile(sec);
      ctx.optBigInt(args, "set-address", "ullp");
      undeclared(ctx, "virDomainSetLaunchSecurityState", "Unable to set launch security state");
    },
  },
  {
    name: "backup-begin",
    async run(ctx, args) {
      const flags = args.has("reuse-external") ? VIR.DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL : 0;
      const { obj: dom } = await domainArg(ctx, args);
      const backup = ctx.optString(args, "backupxml");
      const backupXML = backup === undefined ? "<domainbackup/>" : await ctx.readFile(backup);
      const checkpoint = ctx.optString(args, "checkpointxml");
      const checkpointXML = checkpoint === undefined ? null : await ctx.readFile(checkpoint);
      await ctx.call(() => dom.backupBegin(backupXML, checkpointXML, flags));
      ctx.print("Backup started\n");
    },
  },
  {
    name: "backup-dumpxml",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      await dumpXML(ctx, args, () => dom.backupGetXMLDesc());
    },
  },
  undeclaredDomainCommand("dom-fd-associate", "virDomainFDAssociate", {
    after(ctx, args) {
      ctx.optString(args, "name");
      const fds = passFds(ctx, args);
      // virDomainFDAssociate's own checks, before any driver's.
      if (ctx.conn.readonly) {
        failWith(
          ctx,
          VirError.report(
            "DOMAIN",
            "OPERATION_DENIED",
            "read only access prevents virDomainFDAssociate",
          ),
        );
      }
      if (!fds.length) {
        failWith(
          ctx,
          VirError.bare("DOMAIN", "INVALID_ARG", "nfds in virDomainFDAssociate must not be zero"),
        );
      }
    },
  }),
  {
    name: "ttyconsole",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      const xml = await ctx.call(() => dom.getXMLDesc(0));
      const tty = xpathString(
        xpathDocument(await parseXML(xml)),
        "string(/domain/devices/console/@tty)",
      );
      if (tty === undefined) ctx.fail();
      ctx.print(`${tty}\n`);
    },
  },
  {
    name: "domxml-from-native",
    async run(ctx, args) {
      ctx.optString(args, "format");
      const config = ctx.optString(args, "config")!;
      await ctx.readFile(config);
      undeclared(ctx, "virConnectDomainXMLFromNative");
    },
  },
  {
    name: "domxml-to-native",
    async run(ctx, args) {
      ctx.optString(args, "format");
      const file = ctx.optString(args, "xml");
      exclusive(ctx, args, "domain", "xml");
      if (args.has("domain")) {
        const { obj: dom } = await domainArg(ctx, args);
        await ctx.call(() => dom.getXMLDesc(0), "failed to retrieve XML");
      } else if (file !== undefined) await ctx.readFile(file);
      else ctx.fail("need either domain or domain XML");
      undeclared(ctx, "virConnectDomainXMLToNative");
    },
  },
];
