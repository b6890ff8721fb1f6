/**
 * The wire-shape check the gateway runs on every raw call before libvirt's public-API checks,
 * as libvirtd's XDR decoding does: kinds, integer ranges, array maxima.
 *
 * @module
 */
import { VirError } from "../errors.ts";
import { parseUUID } from "../uuid.ts";
import { type CallInfo, sizeOf } from "./check.ts";
import { KINDS } from "./kinds.ts";

/**
 * Checks a JSON argument list against the declared kinds, so a malformed request changes
 * nothing, and returns it with UUID arguments in canonical form. Throws libvirt's
 * `VIR_ERR_INVALID_ARG` (domain RPC) naming the method and the argument. An argument that a
 * `nonNull` check guards may be null: that check then reports libvirt's own message.
 *
 * @example
 * ```ts
 * import { callInfo, validateArgs } from "./mod.ts";
 * validateArgs(callInfo("domainLookupByName"), ["test"]); // ["test"]
 * ```
 */
export function validateArgs(info: CallInfo, args: unknown): unknown[] {
  const declared = info.decl.args;
  const bad = (why: string) => VirError.report("RPC", "INVALID_ARG", `${info.method}: ${why}`);
  if (!Array.isArray(args)) throw bad("the request body must be a JSON array of arguments");
  if (args.length !== declared.length) {
    throw bad(`expected ${declared.length} argument(s), got ${args.length}`);
  }
  let out: unknown[] = args;
  for (let i = 0; i < declared.length; i++) {
    const { kind } = declared[i];
    const v = args[i];
    if (KINDS[kind].is(v)) {
      const max = declared[i].max;
      if (max !== undefined && sizeOf(v) > max) {
        // Refused as libvirt's remote driver refuses to send it (`VIR_FROM_REMOTE`).
        throw VirError.report(
          "REMOTE",
          "RPC",
          `${declared[i].name} length greater than maximum: ${sizeOf(v)} > ${max}`,
        );
      }
      if (kind === "uuid" && parseUUID(v as string) !== v) {
        if (out === args) out = [...args];
        out[i] = parseUUID(v as string);
      }
      continue;
    }
    if (v === null && nullChecked(info, i)) continue;
    throw bad(`argument ${i + 1} must be ${KINDS[kind].spelled}`);
  }
  return out;
}

function nullChecked(info: CallInfo, arg: number): boolean {
  return info.decl.checks?.some((c) =>
    (c.check === "nonNull" || c.check === "nonEmpty") && c.arg === arg && !c.length
  ) ?? false;
}
