/**
 * `console` (virsh's `cmdConsole` / `cmdRunConsole` / `virshRunConsole`): the checks, the two
 * lines that say how to leave, then the guest's console on the terminal in raw mode until the
 * escape character (`^]`, `-e` changes it), the end of the console or a failure; the terminal
 * is put back as it was on every way out. `start --console` and `create --console` run the same.
 * @module
 */
import type { Domain } from "../../../client/domain.ts";
import { VIR } from "../../../util/constants.ts";
import type { CommandContext, CommandDef } from "../context.ts";
import { attachConsole, escapeByte } from "../console_session.ts";
import { domainArg } from "../lookup.ts";

/** virsh's default escape sequence. */
const ESCAPE = "^]";

/**
 * `cmdRunConsole`: true when the console ran and ended without a failure. Errors are printed
 * (virsh's own lines) or saved (libvirt's, for the command's report) as virsh does.
 */
export async function runConsole(
  ctx: CommandContext,
  dom: Domain,
  devName: string | null,
  flags: number,
): Promise<boolean> {
  const state = await ctx.attempt(() => dom.getState());
  if (!state.ok) {
    ctx.error("Unable to get domain status");
    return false;
  }
  if (state.value[0] === VIR.DOMAIN_SHUTOFF) {
    ctx.error("The domain is not running");
    return false;
  }
  const term = ctx.io.terminal;
  if (!term) {
    ctx.error("Cannot run interactive console without a controlling TTY");
    return false;
  }
  const escape = ctx.state?.escape ?? ESCAPE;
  ctx.printExtra(`Connected to domain '${dom.name}'\n`);
  ctx.printExtra(`Escape character is ${escape}`);
  if (escape[0] === "^") ctx.printExtra(` (Ctrl + ${escape[1]})`);
  ctx.printExtra("\n");
  try {
    await term.setRaw(true);
  } catch (e) {
    ctx.error(`unable to set tty attributes: ${(e as Error).message}`);
    return false;
  }
  const release = term.holdSignals();
  try {
    const r = await ctx.attempt(async () => {
      const st = ctx.conn.newStream(VIR.STREAM_NONBLOCK);
      await dom.openConsole(devName, st, flags);
      await attachConsole(term, st, escapeByte(escape));
    });
    return r.ok;
  } finally {
    release();
    // As virsh's vshTTYRestore: a terminal that cannot be put back is not reported.
    await term.setRaw(false).catch(() => {});
  }
}

/** The `console` command. */
export const CONSOLE_COMMAND: CommandDef = {
  name: "console",
  async run(ctx, args) {
    const { obj: dom } = await domainArg(ctx, args);
    const devName = ctx.optString(args, "devname") ?? null;
    let flags = 0;
    if (args.has("force")) flags |= VIR.DOMAIN_CONSOLE_FORCE;
    if (args.has("safe")) flags |= VIR.DOMAIN_CONSOLE_SAFE;
    return await runConsole(ctx, dom, devName, flags);
  },
};
