/**
 * QEMU's migration capabilities and parameters as libvirt 9.0 sets them for a migration
 * (`qemu_migration_params.c`): the flags and typed parameters turned into capabilities and
 * parameters (`qemuMigrationParamsFromFlags`, with its refusals), the capabilities libvirt always
 * turns on, the original parameters kept (`qemuMigrationParamsCheck`), everything sent in one
 * `migrate-set-capabilities` and one `migrate-set-parameters` (`qemuMigrationParamsApply`), and
 * both reset after (`qemuMigrationParamsReset`), so that a later save or dump runs without them.
 *
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { TypedParams } from "../../../util/contract/types.ts";
import { VirError } from "../../../util/errors.ts";
import type { QemuMonitor } from "../monitor/qemu_monitor.ts";

const E = VIR;

/** Which side of a migration a QEMU is (`qemuMigrationParty`). */
export type MigrationParty = "source" | "destination";

const BOTH: readonly MigrationParty[] = ["source", "destination"];

/** `qemuMigrationCapability`, in libvirt's order (the order of its `migrate-set-capabilities`). */
const CAPABILITIES = [
  "xbzrle",
  "auto-converge",
  "rdma-pin-all",
  "events",
  "postcopy-ram",
  "compress",
  "pause-before-switchover",
  "late-block-activate",
  "multifd",
  "dirty-bitmaps",
  "return-path",
  "zero-copy-send",
] as const;

/** `qemuMigrationParamsAlwaysOn`. */
const ALWAYS_ON: readonly { cap: string; party: MigrationParty }[] = [
  { cap: "pause-before-switchover", party: "source" },
  { cap: "late-block-activate", party: "destination" },
];

/**
 * `qemuMigrationParamsFlagMap`: a capability on when the flag is given (`required`) or when it
 * is not (return-path, off for a tunnelled migration).
 */
const FLAG_MAP: readonly {
  flag: number;
  required: boolean;
  cap: string;
  parties: readonly MigrationParty[];
}[] = [
  { flag: E.MIGRATE_RDMA_PIN_ALL, required: true, cap: "rdma-pin-all", parties: BOTH },
  { flag: E.MIGRATE_AUTO_CONVERGE, required: true, cap: "auto-converge", parties: ["source"] },
  { flag: E.MIGRATE_POSTCOPY, required: true, cap: "postcopy-ram", parties: BOTH },
  { flag: E.MIGRATE_PARALLEL, required: true, cap: "multifd", parties: BOTH },
  { flag: E.MIGRATE_TUNNELLED, required: false, cap: "return-path", parties: BOTH },
  { flag: E.MIGRATE_ZEROCOPY, required: true, cap: "zero-copy-send", parties: ["source"] },
];

type ParamType = "int" | "ull" | "bool" | "string";

/** Whether QEMU's answer for a parameter is of its type. */
const IS_TYPE: Readonly<Record<ParamType, (value: unknown) => boolean>> = {
  int: (v) => typeof v === "number",
  ull: (v) => typeof v === "number",
  bool: (v) => typeof v === "boolean",
  string: (v) => typeof v === "string",
};

/** `qemuMigrationParam` with `qemuMigrationParamInfo`'s types, in libvirt's order. */
const PARAMS: Readonly<Record<string, ParamType>> = {
  "compress-level": "int",
  "compress-threads": "int",
  "decompress-threads": "int",
  "cpu-throttle-initial": "int",
  "cpu-throttle-increment": "int",
  "tls-creds": "string",
  "tls-hostname": "string",
  "max-bandwidth": "ull",
  "downtime-limit": "ull",
  "block-incremental": "bool",
  "xbzrle-cache-size": "ull",
  "max-postcopy-bandwidth": "ull",
  "multifd-channels": "int",
};

/** `qemuMigrationParamsTPMap`: the typed parameters that set QEMU parameters. */
const TYPED: readonly {
  typed: string;
  param: string;
  parties: readonly MigrationParty[];
  unit?: number;
}[] = [
  { typed: "auto_converge.initial", param: "cpu-throttle-initial", parties: ["source"] },
  { typed: "auto_converge.increment", param: "cpu-throttle-increment", parties: ["source"] },
  { typed: "compression.mt.level", param: "compress-level", parties: BOTH },
  { typed: "compression.mt.threads", param: "compress-threads", parties: BOTH },
  { typed: "compression.mt.dthreads", param: "decompress-threads", parties: BOTH },
  { typed: "compression.xbzrle.cache", param: "xbzrle-cache-size", parties: BOTH },
  {
    typed: "bandwidth.postcopy",
    param: "max-postcopy-bandwidth",
    parties: BOTH,
    unit: 1024 * 1024,
  },
  { typed: "parallel.connections", param: "multifd-channels", parties: BOTH },
];

/** `qemuMigrationCompressMethod` and the capability each turns on. */
const COMPRESSION: Readonly<Record<string, string>> = { xbzrle: "xbzrle", mt: "compress" };

/**
 * The typed parameters of this module with their types in `QEMU_MIGRATION_PARAMETERS`
 * (`compression` may repeat; edgevirt's typed parameters carry the methods comma-separated).
 */
export const CAPS_PARAMETERS: Readonly<Record<string, "string" | "ullong" | "int">> = {
  "compression": "string",
  "compression.mt.level": "int",
  "compression.mt.threads": "int",
  "compression.mt.dthreads": "int",
  "compression.xbzrle.cache": "ullong",
  "auto_converge.initial": "int",
  "auto_converge.increment": "int",
  "bandwidth.postcopy": "ullong",
  "parallel.connections": "int",
};

/** A migration's capabilities and parameters for one side (`qemuMigrationParams`). */
export interface MigrationParams {
  /** The capabilities to turn on. */
  caps: Set<string>;
  /** QEMU's parameters to set, by QEMU's name. */
  params: Map<string, number | string | boolean>;
}

/**
 * libvirt's default and largest migration bandwidth (`QEMU_DOMAIN_MIG_BANDWIDTH_MAX` MiB/s), in
 * bytes/s: 2^63 - 2^20, which a JavaScript number holds exactly.
 */
export const UNLIMITED_BANDWIDTH = Number((2n ** 63n - 1n) / 1048576n * 1048576n);

const UINT_MAX = 0xffffffff;
const ULLONG_MAX = 2n ** 64n - 1n;

/** A typed parameter's value times its unit, refused past the type's range as libvirt does. */
function scaled(name: string, value: number, type: ParamType, unit: number | undefined): number {
  if (!unit) return value;
  if (type === "int") {
    const max = Math.floor(UINT_MAX / unit);
    if (value > max) {
      throw VirError.report(
        "QEMU",
        "OVERFLOW",
        `migration parameter '${name}' must be less than ${max + 1}`,
      );
    }
  } else {
    const max = ULLONG_MAX / BigInt(unit);
    if (BigInt(value) > max) {
      throw VirError.report(
        "QEMU",
        "OVERFLOW",
        `migration parameter '${name}' must be less than ${max + 1n}`,
      );
    }
  }
  return value * unit;
}

/**
 * `qemuMigrationParamsFromFlags`: the capabilities and parameters `flags` and `params` ask of
 * `party`'s QEMU, with libvirt's refusals of tuning without its switch and of unknown or
 * repeated compression methods.
 *
 * @example
 * ```ts
 * import { migrationParamsFromFlags } from "./migration_caps.ts";
 * import { VIR } from "../../../util/constants.ts";
 * const mp = migrationParamsFromFlags({ "parallel.connections": 4 }, VIR.MIGRATE_PARALLEL, "source");
 * mp.caps.has("multifd"); // true
 * mp.params.get("multifd-channels"); // 4
 * ```
 */
export function migrationParamsFromFlags(
  params: TypedParams,
  flags: number,
  party: MigrationParty,
): MigrationParams {
  const caps = new Set<string>();
  for (const item of FLAG_MAP) {
    const given = (flags & item.flag) !== 0;
    if (item.parties.includes(party) && given === item.required) caps.add(item.cap);
  }
  const values = new Map<string, number | string | boolean>();
  for (const item of TYPED) {
    const value = params[item.typed];
    if (!item.parties.includes(party) || typeof value !== "number") continue;
    values.set(item.param, scaled(item.typed, value, PARAMS[item.param], item.unit));
  }
  if (
    (values.has("cpu-throttle-initial") || values.has("cpu-throttle-increment")) &&
    !(flags & E.MIGRATE_AUTO_CONVERGE)
  ) {
    throw VirError.report("QEMU", "INVALID_ARG", "Turn auto convergence on to tune it");
  }
  if (values.has("multifd-channels") && !(flags & E.MIGRATE_PARALLEL)) {
    throw VirError.report("QEMU", "INVALID_ARG", "Turn parallel migration on to tune it");
  }
  setCompression(params, flags, caps, values);
  return { caps, params: values };
}

/** `qemuMigrationParamsSetCompression`. */
function setCompression(
  params: TypedParams,
  flags: number,
  caps: Set<string>,
  values: Map<string, unknown>,
): void {
  const methods = new Set<string>();
  const given = typeof params.compression === "string" ? params.compression.split(",") : [];
  for (const method of given) {
    if (!Object.hasOwn(COMPRESSION, method)) {
      throw VirError.report("QEMU", "INVALID_ARG", `Unsupported compression method '${method}'`);
    }
    if (methods.has(method)) {
      throw VirError.report(
        "QEMU",
        "INVALID_ARG",
        `Compression method '${method}' is specified twice`,
      );
    }
    methods.add(method);
    caps.add(COMPRESSION[method]);
  }
  const mtTuned = ["compress-level", "compress-threads", "decompress-threads"]
    .some((p) => values.has(p));
  if (mtTuned && !methods.has("mt")) {
    throw VirError.report("QEMU", "INVALID_ARG", "Turn multithread compression on to tune it");
  }
  if (values.has("xbzrle-cache-size") && !methods.has("xbzrle")) {
    throw VirError.report("QEMU", "INVALID_ARG", "Turn xbzrle compression on to tune it");
  }
  if (!methods.size && flags & E.MIGRATE_COMPRESSED) caps.add("xbzrle");
}

/** The migration capabilities each monitor's QEMU has (`priv->migrationCaps`), events aside. */
const supported = new WeakMap<QemuMonitor, ReadonlySet<string>>();

/**
 * Keeps the capabilities `query-migrate-capabilities` listed for `mon`'s QEMU
 * (`qemuMigrationCapsCheck`): those libvirt knows, without `events`, which stays on.
 *
 * @example
 * ```ts
 * import { keepMigrationCaps } from "./migration_caps.ts";
 * declare const monitor: import("../monitor/qemu_monitor.ts").QemuMonitor;
 * keepMigrationCaps(monitor, ["xbzrle", "events", "multifd"]);
 * ```
 */
export function keepMigrationCaps(mon: QemuMonitor, names: readonly string[]): void {
  const known = new Set<string>(CAPABILITIES);
  supported.set(mon, new Set(names.filter((n) => known.has(n) && n !== "events")));
}

/** The original parameters of a side, kept for the reset. */
export type OriginalParams = Map<string, number | string | boolean>;

/**
 * `qemuMigrationParamsCheck`: refuses a capability `mon`'s QEMU lacks, turns on the
 * capabilities libvirt always sets for `party`, and answers QEMU's parameters before the
 * migration (`qemuMigrationParamsFetch`), which the reset restores.
 *
 * @example
 * ```ts
 * import { checkMigrationParams, migrationParamsFromFlags } from "./migration_caps.ts";
 * declare const monitor: import("../monitor/qemu_monitor.ts").QemuMonitor;
 * const mp = migrationParamsFromFlags({}, 1, "source");
 * const original = await checkMigrationParams(monitor, mp, "source");
 * ```
 */
export async function checkMigrationParams(
  mon: QemuMonitor,
  mp: MigrationParams,
  party: MigrationParty,
): Promise<OriginalParams> {
  const has = supported.get(mon) ?? new Set<string>();
  const missing = CAPABILITIES.find((cap) => mp.caps.has(cap) && !has.has(cap));
  if (missing) {
    throw VirError.report(
      "QEMU",
      "ARGUMENT_UNSUPPORTED",
      `Migration option '${missing}' is not supported by QEMU binary`,
    );
  }
  for (const item of ALWAYS_ON) {
    if (item.party === party && has.has(item.cap)) mp.caps.add(item.cap);
  }
  const now = await mon.run<Record<string, unknown>>("query-migrate-parameters");
  const original: OriginalParams = new Map();
  for (const [name, type] of Object.entries(PARAMS)) {
    const value = now[name];
    if (IS_TYPE[type](value)) {
      original.set(name, value as number | string | boolean);
    }
  }
  return original;
}

/**
 * `qemuMigrationParamsDisableTLS`: where QEMU has TLS parameters, a migration without
 * VIR_MIGRATE_TLS sets both empty.
 *
 * @example
 * ```ts
 * import { disableMigrationTLS, migrationParamsFromFlags } from "./migration_caps.ts";
 * const mp = migrationParamsFromFlags({}, 1, "destination");
 * disableMigrationTLS(mp, new Map([["tls-creds", ""]]));
 * ```
 */
export function disableMigrationTLS(mp: MigrationParams, original: OriginalParams): void {
  if (!original.has("tls-creds")) return;
  mp.params.set("tls-creds", "");
  mp.params.set("tls-hostname", "");
}

/** `qemuMigrationParamsToJSON`: the set parameters, in libvirt's order. */
function paramsJSON(values: ReadonlyMap<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(PARAMS).filter((p) => values.has(p))
      .map((p) => [p, values.get(p)]),
  );
}

/** `qemuMigrationParamsApplyCaps`: every capability QEMU has, on or off as `on` says. */
async function applyCaps(mon: QemuMonitor, on: ReadonlySet<string>): Promise<void> {
  const has = supported.get(mon) ?? new Set<string>();
  const capabilities = CAPABILITIES.filter((cap) => has.has(cap))
    .map((capability) => ({ capability, state: on.has(capability) }));
  if (capabilities.length) await mon.run("migrate-set-capabilities", { capabilities });
}

/**
 * `qemuMigrationParamsApply` in a migration job: the capabilities, then the parameters.
 *
 * @example
 * ```ts
 * import { applyMigrationParams, migrationParamsFromFlags } from "./migration_caps.ts";
 * declare const monitor: import("../monitor/qemu_monitor.ts").QemuMonitor;
 * await applyMigrationParams(monitor, migrationParamsFromFlags({}, 1, "source"));
 * ```
 */
export async function applyMigrationParams(mon: QemuMonitor, mp: MigrationParams): Promise<void> {
  await applyCaps(mon, mp.caps);
  const json = paramsJSON(mp.params);
  if (Object.keys(json).length) await mon.run("migrate-set-parameters", json);
}

/**
 * `qemuMigrationParamsReset`: every capability off and the original parameters back; a failure
 * is not the caller's error (libvirt keeps the error it had).
 *
 * @example
 * ```ts
 * import { resetMigrationParams } from "./migration_caps.ts";
 * declare const monitor: import("../monitor/qemu_monitor.ts").QemuMonitor;
 * await resetMigrationParams(monitor, new Map([["max-bandwidth", 134217728]]));
 * ```
 */
export async function resetMigrationParams(
  mon: QemuMonitor,
  original: OriginalParams,
): Promise<void> {
  try {
    await applyCaps(mon, new Set());
    const json = paramsJSON(original);
    if (Object.keys(json).length) await mon.run("migrate-set-parameters", json);
  } catch {
    // qemuMigrationParamsReset preserves the error of the migration, if any, and reports none.
  }
}
