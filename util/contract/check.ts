/**
 * The one place libvirt's public-API checks run. The client's handles call {@link checkCall}
 * before the driver, and the gateway calls it again on every raw request, as libvirtd re-runs
 * the public API on the daemon side (`remote_daemon_dispatch.c`), so a raw REST/RPC call gets
 * exactly the error libvirt's daemon gives. The wire-shape check the gateway runs first, as
 * libvirtd's XDR decoding does, is `validate.ts`.
 *
 * @module
 */
import { VIR } from "../constants.ts";
import { VirError } from "../errors.ts";
import type { ApiFamily, CallDecl, Check, CheckErrors } from "./declare.ts";

/** A declaration with what is derived from its place in the contract. */
export interface CallInfo {
  /** The driver method name (`domainSetVcpusFlags`). */
  readonly method: string;
  /** libvirt's public API name (`virDomainSetVcpusFlags`). */
  readonly api: string;
  /** The error domain of its API file. */
  readonly family: ApiFamily;
  /** The declaration. */
  readonly decl: CallDecl;
  /** Where the `unsigned int` arguments are, for {@link unsignedArgs}. */
  readonly unsignedAt: readonly number[];
}

/** How a call is being made: on a read-only connection, and under which public API name. */
export interface CallContext {
  /** The connection is read-only (libvirt's `VIR_CONNECT_RO`, a read-only token). */
  readonly readonly?: boolean;
  /**
   * The public API the caller used when it is not the driver method's own (`virDomainSetVcpus`
   * reaches `domainSetVcpusFlags`): errors name it, as libvirt's do.
   */
  readonly api?: string;
  /**
   * The call crosses libvirt's remote protocol (it came to the gateway): its limits apply too,
   * as `remote_driver.c` checks them.
   */
  readonly wire?: boolean;
}

const flagValue = (name: string): number => {
  const v = (VIR as Record<string, number>)[name];
  if (v === undefined) throw new Error(`contract names an unknown flag VIR_${name}`);
  return v;
};

function failWith(family: ApiFamily): CheckErrors {
  return {
    invalidArg(message: string): never {
      throw VirError.bare(family, "INVALID_ARG", message);
    },
    report(code: string, message: string, domain?: string): never {
      throw VirError.report(domain ?? family, code, message);
    },
  };
}

/** What each argument check requires, as libvirt's `virReportInvalid*Arg` words it. */
const ARG_MESSAGES = {
  nonNull: "must not be NULL",
  isNull: "must be NULL",
  nonZero: "must not be zero",
  zero: "must be zero",
  nonNegative: "must be zero or greater",
  positive: "must be greater than zero",
  nonEmpty: "must not be NULL",
} as const;

/** The element count of an array or typed-parameter list (0 for anything else). */
export function sizeOf(v: unknown): number {
  if (Array.isArray(v)) return v.length;
  if (typeof v === "object" && v !== null) return Object.keys(v).length;
  return 0;
}

function failsValue(check: keyof typeof ARG_MESSAGES, v: unknown): boolean {
  switch (check) {
    case "nonNull":
    case "nonEmpty":
      return v === null || v === undefined;
    case "isNull":
      return v !== null && v !== undefined;
    case "nonZero":
      return v === 0;
    case "zero":
      return v !== 0;
    case "nonNegative":
      return (v as number) < 0;
    case "positive":
      return (v as number) <= 0;
  }
}

function runCheck(
  info: CallInfo,
  check: Check,
  args: readonly unknown[],
  ctx: CallContext,
  api: string,
): void {
  const flags = args[args.length - 1] as number;
  switch (check.check) {
    case "readonly": {
      if (!ctx.readonly) return;
      if (check.ifFlag && !(flags & flagValue(check.ifFlag))) return;
      if (check.ifArg && args[check.ifArg[0]] !== check.ifArg[1]) return;
      const detail = check.secure ? `${api} with secure flag` : `read only access prevents ${api}`;
      throw VirError.report(info.family, "OPERATION_DENIED", detail);
    }
    case "requireFlag": {
      const [flag, required] = check.flags;
      if ((flags & flagValue(flag)) && !(flags & flagValue(required))) {
        throw VirError.bare(
          info.family,
          "INVALID_ARG",
          `Flag 'VIR_${required}' is required by flag 'VIR_${flag}'`,
        );
      }
      return;
    }
    case "exclusiveFlags": {
      const [x, y] = check.flags;
      if ((flags & flagValue(x)) && (flags & flagValue(y))) {
        throw VirError.bare(
          info.family,
          "INVALID_ARG",
          `Flags 'VIR_${x}' and 'VIR_${y}' are mutually exclusive`,
        );
      }
      return;
    }
    case "custom":
      if (check.wire && !ctx.wire) return;
      return check.run(args, api, failWith(info.family));
    default: {
      const v = args[check.arg];
      const name = check.length ?? info.decl.args[check.arg].name;
      if (failsValue(check.check, check.length ? sizeOf(v) : v)) {
        throw VirError.bare(
          info.family,
          "INVALID_ARG",
          `${name} in ${api} ${ARG_MESSAGES[check.check]}`,
        );
      }
      if (check.check === "nonEmpty" && v === "") {
        throw VirError.bare(
          info.family,
          "INVALID_ARG",
          `string ${name} in ${api} must not be empty`,
        );
      }
    }
  }
}

/**
 * Runs the call's public-API checks, in libvirt's order, and throws libvirt's error for the
 * first that fails. Arguments are trusted to have the declared shapes (see
 * {@link validateArgs}); a `nonNull` argument may be null.
 *
 * @example
 * ```ts
 * import { callInfo, checkCall } from "./mod.ts";
 * try {
 *   checkCall(callInfo("domainSetVcpusFlags"), [{ name: "d", uuid: "", id: 1 }, 0, 0], {});
 * } catch (e) {
 *   console.log((e as Error).message); // nvcpus in virDomainSetVcpusFlags must not be zero
 * }
 * ```
 */
export function checkCall(info: CallInfo, args: readonly unknown[], ctx: CallContext): void {
  const checks = info.decl.checks;
  if (!checks) return;
  const api = ctx.api ?? info.api;
  for (const check of checks) runCheck(info, check, args, ctx, api);
}

/**
 * The arguments as C receives them: an `unsigned int` given a negative (or too large) integer
 * wraps modulo 2^32, as python-libvirt's `I` conversion and C itself do (`-1` is 4294967295,
 * which libvirt then prints with `%d` as -1). The wire (XDR) cannot carry the unwrapped value.
 *
 * @example
 * ```ts
 * import { callInfo, unsignedArgs } from "./mod.ts";
 * unsignedArgs(callInfo("domainSetVcpusFlags"), [{ name: "d", uuid: "", id: 1 }, -1, 0])[1];
 * // 4294967295
 * ```
 */
export function unsignedArgs(info: CallInfo, args: readonly unknown[]): readonly unknown[] {
  let out: unknown[] | undefined;
  for (const i of info.unsignedAt) {
    const v = args[i];
    if (Number.isInteger(v) && ((v as number) < 0 || (v as number) >= 2 ** 32)) {
      out ??= [...args];
      out[i] = (v as number) >>> 0;
    }
  }
  return out ?? args;
}
