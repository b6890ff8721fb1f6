/**
 * The "Virsh itself" group: `echo`, `quit`, `exit`, `pwd`, `cd`, `connect`, and the hidden
 * `self-test` and `complete` (`vsh.c`, `virsh.c`).
 * @module
 */
import type { CommandDef } from "../context.ts";
import { completions } from "../completion.ts";
import { xmlEscape } from "../format.ts";
import { splitList } from "../split_list.ts";
import { GROUPS, hasFlag } from "../virsh_defs.ts";
import { exclusive } from "./common.ts";

/** `virBufferEscapeShell`: quoted only when needed, `'` as `'\''`. */
function shellEscape(s: string): string {
  if (s !== "" && !/[\r\t\n !"#$&'()*;<>?[\\\]^`{|}~]/.test(s)) return s;
  return `'${s.replaceAll("'", "'\\''")}'`;
}

/** The "Virsh itself" command table. */
export const VIRSH_ITSELF_COMMANDS: CommandDef[] = [
  {
    name: "echo",
    run(ctx, args) {
      exclusive(ctx, args, "shell", "xml");
      exclusive(ctx, args, "shell", "split");
      exclusive(ctx, args, "xml", "split");
      const parts = args.argv("string").map((s) =>
        args.has("xml")
          ? xmlEscape(s)
          : args.has("shell")
          ? shellEscape(s)
          : args.has("split")
          ? splitList(s).map((x) => `${x}\n`).join("")
          : s
      );
      const text = parts.join(" ");
      if (parts.length) {
        if (args.has("err")) ctx.error(text);
        else ctx.print(text);
      }
      return Promise.resolve();
    },
  },
  { name: "quit", run: () => Promise.resolve() },
  { name: "exit", run: () => Promise.resolve() },
  {
    name: "pwd",
    run(ctx) {
      const cwd = ctx.state?.cwd;
      if (!cwd) return ctx.fail("pwd: no working directory in this environment");
      ctx.print(`${cwd.get()}\n`);
      return Promise.resolve();
    },
  },
  {
    name: "cd",
    run(ctx, args) {
      const cwd = ctx.state?.cwd;
      if (!ctx.state?.interactive) return ctx.fail("cd: command valid only in interactive mode");
      if (!cwd) return ctx.fail("cd: no working directory in this environment");
      const dir = ctx.optStringQuiet(args, "dir") || cwd.home() || "/";
      try {
        cwd.set(dir);
      } catch (e) {
        ctx.fail(`cd: ${(e as Error).message}: ${dir}`);
      }
      return Promise.resolve();
    },
  },
  {
    name: "connect",
    async run(ctx, args) {
      const state = ctx.state;
      const name = ctx.optString(args, "name");
      let readonly = args.has("readonly");
      if (!readonly && name === undefined) readonly = state?.readonly ?? false;
      if (!state?.open) return ctx.fail("failed to connect to the hypervisor");
      await state.conn.close();
      const uri = name ?? state.uri;
      const r = await ctx.attempt(() => state.open!(uri, readonly));
      if (!r.ok) return ctx.fail("failed to connect to the hypervisor");
      state.conn = r.value;
      if (name !== undefined) state.uri = name;
      state.readonly = readonly;
    },
  },
  {
    name: "self-test",
    run(ctx, args) {
      if (!args.has("completers-missing")) return Promise.resolve();
      for (const g of GROUPS) {
        for (const c of g.commands) {
          const missing = (c.options ?? []).filter((o) =>
            (o.type === "string" || o.type === "data") && !o.completer
          ).map((o) => o.name);
          if (!hasFlag(c, "alias") && missing.length) {
            ctx.printExtra(`${c.name}: ${missing.join(", ")}\n`);
          }
        }
      }
      return Promise.resolve();
    },
  },
  {
    name: "complete",
    async run(ctx, args) {
      const words = args.argv("string");
      if (!words.length || ctx.optStringQuiet(args, "string") === null) return false;
      const matches = await completions(ctx.conn, words.join(" "));
      // vshReadlineCompletion finding nothing fails the command.
      if (!matches.length) return false;
      for (const m of matches) ctx.print(`${m}\n`);
    },
  },
];
