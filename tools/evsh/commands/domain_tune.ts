/**
 * Tuning commands: `schedinfo`, `memtune`, `numatune`, `perf`, `blkiotune`, `domiftune`,
 * `blkdeviotune`.
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { TypedParams } from "../../../util/driver.ts";
import { callDriver } from "../../../client/handle.ts";
import { type CommandContext, type CommandDef, CommandFailed } from "../context.ts";
import { domainArg } from "../lookup.ts";
import type { Args } from "../options.ts";
import { scaledInteger, strToLong } from "../numbers.ts";
import { VirError } from "../../../util/errors.ts";
import { affectFlags } from "./common.ts";
import { typedParamText } from "./domain_guest.ts";

/** `VIR_DOMAIN_MEMORY_PARAM_UNLIMITED`. */
const UNLIMITED = 9007199254740991;

const NUMA_MODES = ["strict", "preferred", "interleave", "restrictive"];

/** The typed-parameter type of each scheduler field libvirt defines. */
const SCHED_TYPES: Record<string, "int" | "uint" | "llong" | "ullong"> = {
  cpu_shares: "ullong",
  global_period: "ullong",
  global_quota: "llong",
  vcpu_period: "ullong",
  vcpu_quota: "llong",
  emulator_period: "ullong",
  emulator_quota: "llong",
  iothread_period: "ullong",
  iothread_quota: "llong",
  weight: "uint",
  cap: "uint",
  reservation: "llong",
  limit: "llong",
  shares: "int",
};

const TYPE_WORDS = {
  int: ["i", "int"],
  uint: ["ui", "unsigned int"],
  llong: ["ll", "long long"],
  ullong: ["ull", "unsigned long long"],
} as const;

/** `virTypedParamsAddFromString` for a scheduler field of the domain's parameter list. */
function schedValue(ctx: CommandContext, field: string, text: string): number {
  const type = SCHED_TYPES[field] ?? "ullong";
  const [kind, word] = TYPE_WORDS[type];
  const r = strToLong(text, kind);
  if (!r) {
    ctx.lastError = VirError.bare(
      "NONE",
      "INVALID_ARG",
      `invalid argument: Invalid value for field '${field}': expected ${word}`,
    );
    return ctx.fail();
  }
  return Number(r.value);
}

/** `cmdSchedInfoUpdate`: the `--set` pairs, then `--cap` and `--weight`. */
function schedUpdates(ctx: CommandContext, args: Args, current: TypedParams): TypedParams {
  const out: TypedParams = {};
  const one = (field: string, value: string) => {
    if (!(field in current)) ctx.fail(`invalid scheduler option: ${field}`);
    out[field] = schedValue(ctx, field, value);
  };
  for (const pair of args.argv("set")) {
    const eq = pair.indexOf("=");
    if (eq < 0) ctx.fail("Invalid syntax for --set, expecting name=value");
    one(pair.slice(0, eq), pair.slice(eq + 1));
  }
  for (const opt of ["cap", "weight"]) {
    const v = ctx.optString(args, opt);
    if (v !== undefined) one(opt, v);
  }
  return out;
}

function printParams(ctx: CommandContext, params: TypedParams): void {
  for (const [k, v] of Object.entries(params)) {
    ctx.print(`${k.padEnd(15)}: ${typedParamText(v)}\n`);
  }
}

/** `virshMemtuneGetSize`: KiB, or unlimited for a negative value. */
function memtuneSize(ctx: CommandContext, args: Args, name: string): number | undefined {
  const text = ctx.optStringQuiet(args, name);
  if (!text) return undefined;
  const m = /^\s*([+-]?\d+)(.*)$/.exec(text);
  const bad = () => ctx.fail(`Unable to parse integer parameter ${name}`);
  if (!m || !strToLong(m[1], "ll")) return bad();
  if (BigInt(m[1]) < 0n) return UNLIMITED;
  const r = scaledInteger(text.trim(), 1024, (1n << 63n) - 1n);
  if (typeof r !== "bigint") {
    if (r) ctx.lastError = r;
    return bad();
  }
  return Number((r + 1023n) / 1024n);
}

/** `strtol(…, 0)` over the whole text: decimal, `0x` hexadecimal or `0` octal. */
function intBase0(text: string): number | undefined {
  const m = /^\s*([+-]?)(0x[0-9a-f]+|0[0-7]*|[1-9]\d*)$/i.exec(text);
  if (!m) return undefined;
  const body = m[2];
  const v = body.toLowerCase().startsWith("0x")
    ? Number.parseInt(body.slice(2), 16)
    : body.startsWith("0")
    ? Number.parseInt(body, 8)
    : Number(body);
  const r = m[1] === "-" ? -v : v;
  return r >= -(2 ** 31) && r < 2 ** 31 ? r : undefined;
}

/**
 * The get half of virsh's two-step typed-parameter queries: it asks for the count first, which
 * drivers answer before looking at the domain's state, so only a refused call or flag fails
 * there (`countMsg`); anything else fails the second step (`getMsg`). Live and config together
 * are refused by the public API for memory, blkio and block I/O parameters (`publicExclusive`),
 * so at the count; for NUMA and interface parameters by the driver's definition look-up, which
 * the test driver makes after it has answered the count, and QEMU's before.
 */
async function getParams(
  ctx: CommandContext,
  fn: () => Promise<TypedParams>,
  countMsg: string,
  getMsg: string,
  publicExclusive = true,
): Promise<TypedParams> {
  const r = await ctx.attempt(fn);
  if (r.ok) return r.value;
  const e = ctx.lastError!;
  // libvirt's own checks and the driver's flag check refuse the first call, the one that
  // asks for the count.
  const exclusiveAtCount = publicExclusive || ctx.conn.getType() !== "TEST";
  const early = e.code === VIR.ERR_NO_SUPPORT || e.message.startsWith("unsupported flags") ||
    (exclusiveAtCount && e.message.endsWith("are mutually exclusive"));
  return ctx.fail(early ? countMsg : getMsg);
}

/** The tuning command table. */
export const DOMAIN_TUNE_COMMANDS: CommandDef[] = [
  {
    name: "schedinfo",
    async run(ctx, args) {
      const flags = affectFlags(ctx, args, VIR.DOMAIN_AFFECT_LIVE, VIR.DOMAIN_AFFECT_CONFIG);
      const live = args.has("live");
      const config = args.has("config");
      const queryFlags = live && config ? 0 : flags;
      const { obj: dom } = await domainArg(ctx, args);
      const type = await ctx.attempt(() => ctx.conn.call("domainGetSchedulerType", dom.ref));
      if (!type.ok) {
        ctx.print(`${"Scheduler".padEnd(15)}: Unknown\n`);
        return ctx.fail();
      }
      const [name, nparams] = type.value;
      ctx.print(`${"Scheduler".padEnd(15)}: ${name}\n`);
      if (!nparams) return;
      const withFlags = flags !== 0 || args.has("current");
      const get = () =>
        withFlags
          ? ctx.conn.call(
            "domainGetSchedulerParametersFlags",
            dom.ref,
            // libvirt's entry point asks for string parameters of drivers that can send them.
            queryFlags | VIR.TYPED_PARAM_STRING_OKAY,
          )
          : callDriver(
            ctx.conn,
            {
              method: "domainGetSchedulerParametersFlags",
              api: "virDomainGetSchedulerParameters",
            },
            dom.ref,
            0,
          );
      let params = await ctx.call(get);
      const updates = schedUpdates(ctx, args, params);
      if (Object.keys(updates).length) {
        await ctx.call(() =>
          withFlags
            ? ctx.conn.call("domainSetSchedulerParametersFlags", dom.ref, updates, flags)
            : callDriver(
              ctx.conn,
              {
                method: "domainSetSchedulerParametersFlags",
                api: "virDomainSetSchedulerParameters",
              },
              dom.ref,
              updates,
              0,
            )
        );
        params = await ctx.call(get);
      } else if (live && config) {
        ctx.fail("cannot query both live and config at once");
      }
      printParams(ctx, params);
    },
  },
  {
    name: "memtune",
    async run(ctx, args) {
      const flags = affectFlags(ctx, args, VIR.DOMAIN_AFFECT_LIVE, VIR.DOMAIN_AFFECT_CONFIG);
      const { obj: dom } = await domainArg(ctx, args);
      const set: TypedParams = {};
      for (
        const [opt, field] of [
          ["hard-limit", "hard_limit"],
          ["soft-limit", "soft_limit"],
          ["swap-hard-limit", "swap_hard_limit"],
          ["min-guarantee", "min_guarantee"],
        ]
      ) {
        const v = memtuneSize(ctx, args, opt);
        if (v !== undefined) set[field] = v;
      }
      if (Object.keys(set).length) {
        await ctx.call(
          () => dom.setMemoryParameters(set, flags),
          "Unable to change memory parameters",
        );
        return;
      }
      const params = await getParams(
        ctx,
        () => dom.getMemoryParameters(flags),
        "Unable to get number of memory parameters",
        "Unable to get memory parameters",
      );
      for (const [k, v] of Object.entries(params)) {
        ctx.print(`${k.padEnd(15)}: ${v === UNLIMITED ? "unlimited" : typedParamText(v)}\n`);
      }
    },
  },
  {
    name: "numatune",
    async run(ctx, args) {
      const flags = affectFlags(ctx, args, VIR.DOMAIN_AFFECT_LIVE, VIR.DOMAIN_AFFECT_CONFIG);
      const { obj: dom } = await domainArg(ctx, args);
      const set: TypedParams = {};
      const nodeset = ctx.optString(args, "nodeset");
      if (nodeset !== undefined) set.numa_nodeset = nodeset;
      const mode = ctx.optString(args, "mode");
      if (mode !== undefined) {
        // A name, or any integer for modes newer than this table (`virStrToLong_i`, base 0).
        const m = NUMA_MODES.indexOf(mode);
        const n = m >= 0 ? m : intBase0(mode);
        if (n === undefined) return ctx.fail(`Invalid mode: ${mode}`);
        set.numa_mode = n;
      }
      if (Object.keys(set).length) {
        await ctx.call(
          () => dom.setNumaParameters(set, flags),
          "Unable to change numa parameters",
        );
        return;
      }
      const params = await getParams(
        ctx,
        () => dom.getNumaParameters(flags),
        "Unable to get number of memory parameters",
        "Unable to get numa parameters",
        false,
      );
      for (const [k, v] of Object.entries(params)) {
        const text = k === "numa_mode" && typeof v === "number"
          ? NUMA_MODES[v] ?? ""
          : typedParamText(v);
        ctx.print(`${k.padEnd(15)}: ${text}\n`);
      }
    },
  },
  {
    name: "perf",
    async run(ctx, args) {
      const flags = affectFlags(ctx, args, VIR.DOMAIN_AFFECT_LIVE, VIR.DOMAIN_AFFECT_CONFIG);
      const enable = ctx.optString(args, "enable");
      const disable = ctx.optString(args, "disable");
      const { obj: dom } = await domainArg(ctx, args);
      const set: TypedParams = {};
      for (const [list, on] of [[enable, true], [disable, false]] as const) {
        for (const e of (list ?? "").split(",")) if (e) set[e] = on;
      }
      let params = set;
      if (!Object.keys(set).length) {
        params = await ctx.call(() => dom.getPerfEvents(flags), "Unable to get perf events");
      } else {
        await ctx.call(
          () => dom.setPerfEvents(set, flags),
          "Unable to enable/disable perf events",
        );
      }
      for (const [k, v] of Object.entries(params)) {
        ctx.printExtra(`${k.padEnd(15)}: ${v === true ? "enabled" : "disabled"}\n`);
      }
    },
  },
  {
    name: "blkiotune",
    async run(ctx, args) {
      const flags = affectFlags(ctx, args, VIR.DOMAIN_AFFECT_LIVE, VIR.DOMAIN_AFFECT_CONFIG);
      const { obj: dom } = await domainArg(ctx, args);
      const set: TypedParams = {};
      const weight = ctx.optInt(args, "weight", "i");
      if (weight !== undefined) {
        if (weight <= 0) ctx.fail(`Invalid value of ${weight} for I/O weight`);
        set.weight = weight;
      }
      for (
        const [opt, field] of [
          ["device-weights", "device_weight"],
          ["device-read-iops-sec", "device_read_iops_sec"],
          ["device-write-iops-sec", "device_write_iops_sec"],
          ["device-read-bytes-sec", "device_read_bytes_sec"],
          ["device-write-bytes-sec", "device_write_bytes_sec"],
        ]
      ) {
        const v = ctx.optStringQuiet(args, opt);
        if (v === null) return ctx.fail("Unable to parse string parameter");
        if (v !== undefined) set[field] = v;
      }
      if (Object.keys(set).length) {
        await ctx.call(
          () => dom.setBlkioParameters(set, flags),
          "Unable to change blkio parameters",
        );
        return;
      }
      printParams(
        ctx,
        await getParams(
          ctx,
          () => dom.getBlkioParameters(flags),
          "Unable to get number of blkio parameters",
          "Unable to get blkio parameters",
        ),
      );
    },
  },
  {
    name: "domiftune",
    async run(ctx, args) {
      const flags = affectFlags(ctx, args, VIR.DOMAIN_AFFECT_LIVE, VIR.DOMAIN_AFFECT_CONFIG);
      const { obj: dom } = await domainArg(ctx, args);
      const device = ctx.optString(args, "interface")!;
      const inbound = ctx.optString(args, "inbound");
      const outbound = ctx.optString(args, "outbound");
      const set: TypedParams = {};
      if (inbound !== undefined) {
        const r = rate(ctx, inbound);
        if ([r.average, r.peak, r.burst].some((v) => v > UINT_MAX)) {
          ctx.fail(`inbound rate larger than maximum ${UINT_MAX}`);
        }
        if (!r.average && (r.burst || r.peak) && !r.floor) {
          ctx.fail("either inbound average or floor is mandatory");
        }
        set["inbound.average"] = r.average;
        if (r.peak) set["inbound.peak"] = r.peak;
        if (r.burst) set["inbound.burst"] = r.burst;
        if (r.floor) set["inbound.floor"] = r.floor;
      }
      if (outbound !== undefined) {
        const r = rate(ctx, outbound);
        if ([r.average, r.peak, r.burst].some((v) => v > UINT_MAX)) {
          ctx.fail(`outbound rate larger than maximum ${UINT_MAX}`);
        }
        if (!r.average && (r.burst || r.peak)) ctx.fail("outbound average is mandatory");
        if (r.floor) ctx.fail("outbound floor is unsupported yet");
        set["outbound.average"] = r.average;
        if (r.peak) set["outbound.peak"] = r.peak;
        if (r.burst) set["outbound.burst"] = r.burst;
      }
      if (Object.keys(set).length) {
        await ctx.call(
          () => dom.setInterfaceParameters(device, set, flags),
          "Unable to set interface parameters",
        );
        return;
      }
      printParams(
        ctx,
        await getParams(
          ctx,
          () => dom.getInterfaceParameters(device, flags),
          "Unable to get number of interface parameters",
          "Unable to get interface parameters",
          false,
        ),
      );
    },
  },
  {
    name: "blkdeviotune",
    async run(ctx, args) {
      const flags = affectFlags(ctx, args, VIR.DOMAIN_AFFECT_LIVE, VIR.DOMAIN_AFFECT_CONFIG);
      const { obj: dom } = await domainArg(ctx, args);
      const disk = ctx.optString(args, "device")!;
      const set: TypedParams = {};
      const integer = (read: () => bigint | number | undefined) => {
        try {
          return read();
        } catch (e) {
          if (e instanceof CommandFailed) return ctx.fail("Unable to parse integer parameter");
          throw e;
        }
      };
      for (const opt of IOTUNE_SCALED) {
        if (!args.has(opt)) continue;
        set[opt.replaceAll("-", "_")] = Number(integer(() => ctx.optBigIntScaled(args, opt, 1)));
      }
      for (const opt of IOTUNE_COUNTS) {
        const v = integer(() => ctx.optBigInt(args, opt, "ullp"));
        if (v !== undefined) set[opt.replaceAll("-", "_")] = Number(v);
      }
      if (ctx.optStringQuiet(args, "group-name") === null) {
        ctx.error("Failed to get option 'group-name': Option argument is empty");
        ctx.fail("Unable to parse group-name parameter");
      }
      const group = ctx.optString(args, "group-name");
      if (group !== undefined) set.group_name = group;
      if (Object.keys(set).length) {
        await ctx.call(
          () => dom.setBlockIoTune(disk, set, flags),
          "Unable to change block I/O throttle",
        );
        return;
      }
      printParams(
        ctx,
        await getParams(
          ctx,
          () => dom.getBlockIoTune(disk, flags),
          "Unable to get number of block I/O throttle parameters",
          "Unable to get block I/O throttle parameters",
        ),
      );
    },
  },
];

const UINT_MAX = 4294967295;

/** The I/O limits given as scaled sizes, then as plain counts, in virsh's order. */
const IOTUNE_SCALED = [
  "total-bytes-sec",
  "read-bytes-sec",
  "write-bytes-sec",
  "total-bytes-sec-max",
  "read-bytes-sec-max",
  "write-bytes-sec-max",
];
const IOTUNE_COUNTS = [
  "total-iops-sec",
  "read-iops-sec",
  "write-iops-sec",
  "total-iops-sec-max",
  "read-iops-sec-max",
  "write-iops-sec-max",
  "size-iops-sec",
  "total-bytes-sec-max-length",
  "read-bytes-sec-max-length",
  "write-bytes-sec-max-length",
  "total-iops-sec-max-length",
  "read-iops-sec-max-length",
  "write-iops-sec-max-length",
];

/**
 * `virshParseRateStr`: `average,peak,burst,floor`, empty fields meaning 0.
 *
 * @example
 * ```ts
 * // rate(ctx, "100,200") is { average: 100, peak: 200, burst: 0, floor: 0 }
 * ```
 */
export function rate(
  ctx: CommandContext,
  text: string,
): { average: number; peak: number; burst: number; floor: number } {
  const tok = text.split(",");
  if (tok.length > 4) ctx.fail(`Rate string '${text}' has too many fields`);
  const names = ["average", "peak", "burst", "floor"] as const;
  const out = { average: 0, peak: 0, burst: 0, floor: 0 };
  names.forEach((name, i) => {
    if (i >= tok.length || tok[i] === "") return;
    const r = strToLong(tok[i], "ullp");
    if (!r) ctx.fail(`field '${name}' is malformed`);
    out[name] = Number(r.value);
  });
  return out;
}
