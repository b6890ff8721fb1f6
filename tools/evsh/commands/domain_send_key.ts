/**
 * `send-key` (virsh's `cmdSendKey`): key codes as numbers (any C base, up to 0xffff) or as
 * names of the chosen code set, sent with `virDomainSendKey`.
 * @module
 */
import type { CommandDef } from "../context.ts";
import { KEYCODE_SETS, keycodeFromName } from "../../../util/keycodes.ts";
import { domainArg } from "../lookup.ts";

/** `VIR_DOMAIN_SEND_KEY_MAX_KEYS`. */
const MAX_KEYS = 16;

/** `virshKeyCodeGetInt`: `virStrToLong_uip` in base 0 (decimal, 0x hex, 0 octal), ≤ 0xffff. */
function numericKeycode(s: string): number {
  const m = /^[ \t\n\v\f\r]*\+?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)$/.exec(s);
  if (!m) return -1;
  const digits = m[1];
  const v = /^0[xX]/.test(digits)
    ? parseInt(digits.slice(2), 16)
    : digits.length > 1 && digits[0] === "0"
    ? parseInt(digits, 8)
    : Number(digits);
  return v > 0xffff ? -1 : v;
}

/** The `send-key` command. */
export const SEND_KEY_COMMAND: CommandDef = {
  name: "send-key",
  async run(ctx, args) {
    const { obj: dom } = await domainArg(ctx, args);
    let setName = ctx.optStringQuiet(args, "codeset") || "linux";
    const holdtime = ctx.optInt(args, "holdtime", "uip") ?? 0;
    if (setName === "rfb") setName = "qnum";
    const codeset = (KEYCODE_SETS as readonly string[]).indexOf(setName);
    if (codeset < 0) ctx.fail(`unknown codeset: '${setName}'`);
    const keycodes: number[] = [];
    for (const key of args.argv("keycode")) {
      if (keycodes.length === MAX_KEYS) ctx.fail("too many keycodes");
      let code = numericKeycode(key);
      if (code < 0) code = keycodeFromName(setName, key);
      if (code < 0) ctx.fail(`invalid keycode: '${key}'`);
      keycodes.push(code);
    }
    await ctx.call(() => ctx.conn.call("domainSendKey", dom.ref, codeset, holdtime, keycodes, 0));
  },
};
