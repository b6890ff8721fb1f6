/**
 * `console` (virsh's `cmdConsole`/`cmdRunConsole`): the checks before a guest console is
 * attached to the terminal. The driver contract has no console stream
 * (`virDomainOpenConsole`), so on a terminal the command ends as libvirt does for a driver
 * without it.
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { CommandDef } from "../context.ts";
import { domainArg } from "../lookup.ts";
import { undeclared } from "./common.ts";

/** virsh's default escape sequence (`-e` changes it in virsh). */
const ESCAPE = "^]";

/** The `console` command. */
export const CONSOLE_COMMAND: CommandDef = {
  name: "console",
  async run(ctx, args) {
    const { obj: dom } = await domainArg(ctx, args);
    ctx.optString(args, "devname");
    const state = await ctx.attempt(() => dom.getState());
    if (!state.ok) return ctx.fail("Unable to get domain status");
    if (state.value[0] === VIR.DOMAIN_SHUTOFF) ctx.fail("The domain is not running");
    if (!ctx.io.stdinIsTerminal) {
      ctx.fail("Cannot run interactive console without a controlling TTY");
    }
    ctx.printExtra(`Connected to domain '${dom.name}'\n`);
    ctx.printExtra(`Escape character is ${ESCAPE} (Ctrl + ${ESCAPE[1]})\n`);
    undeclared(ctx, "virDomainOpenConsole");
  },
};
