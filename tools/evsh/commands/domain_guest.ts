/**
 * Guest agent and power commands: `domfsfreeze`, `domfsthaw`, `domfstrim`, `domfsinfo`,
 * `dompmsuspend`, `dompmwakeup`, `guestvcpus`, `set-user-password`, `send-process-signal`,
 * `guest-agent-timeout`, `get-user-sshkeys`, `set-user-sshkeys`.
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { TypedParams } from "../../../util/driver.ts";
import type { CommandContext, CommandDef } from "../context.ts";
import { domainArg } from "../lookup.ts";
import { formatTable } from "../table.ts";
import { exclusive, requires, yesNo } from "./common.ts";

const SUSPEND_TARGETS = ["mem", "disk", "hybrid"];

/** `virshDomainProcessSignal`: signal names by number. */
const SIGNALS = [
  "nop",
  "hup",
  "int",
  "quit",
  "ill",
  "trap",
  "abrt",
  "bus",
  "fpe",
  "kill",
  "usr1",
  "segv",
  "usr2",
  "pipe",
  "alrm",
  "term",
  "stkflt",
  "chld",
  "cont",
  "stop",
  "tstp",
  "ttin",
  "ttou",
  "urg",
  "xcpu",
  "xfsz",
  "vtalrm",
  "prof",
  "winch",
  "poll",
  "pwr",
  "sys",
  ...Array.from({ length: 33 }, (_, i) => `rt${i}`),
]; // deno-fmt-ignore

/** `getSignalNumber`: a number, or a name with an optional `sig`/`sig_` prefix. */
function signalNumber(name: string): number {
  const low = name.toLowerCase();
  if (/^\s*[+-]?\d+$/.test(low)) return Number(low);
  return SIGNALS.indexOf(low.replace(/^sig_?/, ""));
}

/** `vshGetTypedParamValue` of one value. */
export function typedParamText(v: TypedParams[string]): string {
  return typeof v === "boolean" ? yesNo(v) : String(v);
}

/** `%-15s: %s` lines of typed parameters. */
function printParams(ctx: CommandContext, params: TypedParams, width = 15): void {
  for (const [k, v] of Object.entries(params)) {
    ctx.print(`${k.padEnd(width)}: ${typedParamText(v)}\n`);
  }
}

/** The guest agent and power command table. */
export const DOMAIN_GUEST_COMMANDS: CommandDef[] = [
  {
    name: "domfsfreeze",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      const n = await ctx.call(
        () => ctx.conn.call("domainFSFreeze", dom.ref, args.argv("mountpoint"), 0),
        "Unable to freeze filesystems",
      );
      ctx.printExtra(`Froze ${n} filesystem(s)\n`);
    },
  },
  {
    name: "domfsthaw",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      const n = await ctx.call(
        () => ctx.conn.call("domainFSThaw", dom.ref, args.argv("mountpoint"), 0),
        "Unable to thaw filesystems",
      );
      ctx.printExtra(`Thawed ${n} filesystem(s)\n`);
    },
  },
  {
    name: "domfstrim",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      const minimum = Number(ctx.optBigInt(args, "minimum", "ullp") ?? 0n);
      const mount = ctx.optString(args, "mountpoint") ?? null;
      await ctx.call(() => dom.fsTrim(mount, minimum, 0), "Unable to invoke fstrim");
    },
  },
  {
    name: "domfsinfo",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      const info = await ctx.call(() => dom.getFSInfo(0), "Unable to get filesystem information");
      if (!info.length) {
        ctx.printExtra("No filesystems are mounted in the domain");
        return;
      }
      const rows = info.map((i) => [i.mountpoint, i.name, i.fstype, i.devAliases.join(",")]);
      ctx.print(formatTable(["Mountpoint", "Name", "Type", "Target"], rows));
    },
  },
  {
    name: "dompmsuspend",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      const duration = Number(ctx.optBigInt(args, "duration", "ullp") ?? 0n);
      const target = SUSPEND_TARGETS.indexOf(ctx.optString(args, "target")!);
      if (target < 0) ctx.fail("Invalid target");
      await ctx.call(
        () => ctx.conn.call("domainPMSuspendForDuration", dom.ref, target, duration, 0),
        `Domain '${dom.name}' could not be suspended`,
      );
      ctx.printExtra(`Domain '${dom.name}' successfully suspended`);
    },
  },
  {
    name: "dompmwakeup",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      await ctx.call(
        () => ctx.conn.call("domainPMWakeup", dom.ref, 0),
        `Domain '${dom.name}' could not be woken up`,
      );
      ctx.printExtra(`Domain '${dom.name}' successfully woken up`);
    },
  },
  {
    name: "guestvcpus",
    async run(ctx, args) {
      exclusive(ctx, args, "enable", "disable");
      requires(ctx, args, "enable", "cpulist");
      requires(ctx, args, "disable", "cpulist");
      const cpulist = ctx.optString(args, "cpulist");
      if (cpulist !== undefined && !args.has("enable") && !args.has("disable")) {
        ctx.fail("One of options --enable or --disable is required by option --cpulist");
      }
      const { obj: dom } = await domainArg(ctx, args);
      if (cpulist !== undefined) {
        const state = args.has("enable") ? 1 : 0;
        await ctx.call(() => ctx.conn.call("domainSetGuestVcpus", dom.ref, cpulist, state, 0));
        return;
      }
      printParams(ctx, await ctx.call(() => ctx.conn.call("domainGetGuestVcpus", dom.ref, 0)));
    },
  },
  {
    name: "set-user-password",
    async run(ctx, args) {
      const flags = args.has("encrypted") ? VIR.DOMAIN_PASSWORD_ENCRYPTED : 0;
      const user = ctx.optString(args, "user")!;
      const password = ctx.optString(args, "password")!;
      const { obj: dom, arg } = await domainArg(ctx, args);
      await ctx.call(() => dom.setUserPassword(user, password, flags));
      ctx.printExtra(`Password set successfully for ${user} in ${arg}`);
    },
  },
  {
    name: "send-process-signal",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      const pid = Number(ctx.optBigInt(args, "pid", "ll"));
      const signame = ctx.optString(args, "signame")!;
      const signum = signalNumber(signame);
      if (signum < 0) ctx.fail(`malformed signal name: ${signame}`);
      await ctx.call(() => dom.sendProcessSignal(pid, signum, 0));
    },
  },
  {
    name: "guest-agent-timeout",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      const timeout = ctx.optInt(args, "timeout", "i") ?? VIR.DOMAIN_AGENT_RESPONSE_TIMEOUT_BLOCK;
      await ctx.call(() => dom.agentSetResponseTimeout(timeout, 0));
    },
  },
  {
    name: "get-user-sshkeys",
    async run(ctx, args) {
      const { obj: dom } = await domainArg(ctx, args);
      const user = ctx.optString(args, "user")!;
      // each key as the agent gave it, without a separator (virsh prints them with "%s")
      for (const key of await ctx.call(() => dom.authorizedSSHKeysGet(user))) ctx.print(key);
    },
  },
  {
    name: "set-user-sshkeys",
    async run(ctx, args) {
      requires(ctx, args, "remove", "file");
      exclusive(ctx, args, "reset", "remove");
      const { obj: dom } = await domainArg(ctx, args);
      const user = ctx.optString(args, "user")!;
      const file = ctx.optString(args, "file");
      let flags = 0;
      if (args.has("remove")) flags = VIR.DOMAIN_AUTHORIZED_SSH_KEYS_SET_REMOVE;
      else if (!args.has("reset")) {
        flags = VIR.DOMAIN_AUTHORIZED_SSH_KEYS_SET_APPEND;
        if (file === undefined) ctx.fail("Option --file is required");
      }
      // g_strsplit on newlines: never empty, a trailing newline gives a last empty key
      const keys = file === undefined ? [] : (await ctx.readFile(file)).split("\n");
      await ctx.call(() => dom.authorizedSSHKeysSet(user, keys, flags));
    },
  },
];
