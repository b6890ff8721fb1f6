/**
 * What the QEMU driver's migration accepts: libvirt's flag and typed-parameter validation
 * (`QEMU_MIGRATION_FLAGS`, `QEMU_MIGRATION_PARAMETERS`, `qemuMigrationSrcBegin`'s offline
 * rules), the refusal of what edgevirt cannot honour, and the incoming port
 * (`migration_port_min`..`migration_port_max`, 49152-49215).
 *
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import type { TypedParams } from "../../../util/contract/types.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import { CAPS_PARAMETERS } from "./migration_caps.ts";

const E = VIR;

/** `QEMU_MIGRATION_FLAGS`: the flags libvirt's QEMU driver knows. */
const KNOWN_FLAGS = E.MIGRATE_LIVE | E.MIGRATE_PEER2PEER | E.MIGRATE_TUNNELLED |
  E.MIGRATE_PERSIST_DEST | E.MIGRATE_UNDEFINE_SOURCE | E.MIGRATE_PAUSED |
  E.MIGRATE_NON_SHARED_DISK | E.MIGRATE_NON_SHARED_INC | E.MIGRATE_CHANGE_PROTECTION |
  E.MIGRATE_UNSAFE | E.MIGRATE_OFFLINE | E.MIGRATE_COMPRESSED | E.MIGRATE_ABORT_ON_ERROR |
  E.MIGRATE_AUTO_CONVERGE | E.MIGRATE_RDMA_PIN_ALL | E.MIGRATE_POSTCOPY | E.MIGRATE_TLS |
  E.MIGRATE_PARALLEL | E.MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES | E.MIGRATE_POSTCOPY_RESUME |
  E.MIGRATE_ZEROCOPY;

/**
 * Known flags this driver does not carry out, with the refusal. The capabilities are worded as
 * libvirt's `qemuMigrationParamsCheck` refuses a capability its QEMU lacks; tunnelling has no
 * such text in libvirt (it does it).
 */
const REFUSED_FLAGS: readonly { flag: number; code: string; message: string }[] = [
  // The stream would go through the RPC connection (a stream of domainMigratePrepareTunnel3Params
  // fed from QEMU's outgoing socket): not done.
  {
    flag: E.MIGRATE_TUNNELLED,
    code: "ARGUMENT_UNSUPPORTED",
    message: "tunnelled migration is not supported by this driver",
  },
  {
    flag: E.MIGRATE_TLS,
    code: "OPERATION_INVALID",
    message: "host migration TLS directory not configured",
  },
  ...([
    [E.MIGRATE_RDMA_PIN_ALL, "rdma-pin-all"],
    // Resuming a failed post-copy needs the paused migration it recovers, which this driver
    // does not keep (a post-copy that fails leaves the domain as QEMU left it).
    [E.MIGRATE_POSTCOPY_RESUME, "postcopy-ram"],
  ] as const).map(([flag, cap]) => ({
    flag,
    code: "ARGUMENT_UNSUPPORTED",
    message: `Migration option '${cap}' is not supported by this driver`,
  })),
];

/** The typed parameters this driver honours, with their types (the rest of libvirt's refused). */
const HONOURED: Readonly<Record<string, "string" | "ullong" | "int">> = {
  migrate_uri: "string",
  destination_name: "string",
  destination_xml: "string",
  persistent_xml: "string",
  listen_address: "string",
  bandwidth: "ullong",
  // The targets, comma-separated (see migration_disks.ts).
  migrate_disks: "string",
  disks_port: "int",
  disks_uri: "string",
  ...CAPS_PARAMETERS,
};

/** The rest of `QEMU_MIGRATION_PARAMETERS`: libvirt knows them, this driver does not honour them. */
const NOT_HONOURED = new Set([
  "graphics_uri",
  "tls.destination",
]);

/**
 * The argument checks every migration step starts with: the flags libvirt knows and the
 * parameters (`virTypedParamsValidate`), then those this driver does not honour.
 *
 * @example
 * ```ts
 * import { checkMigrationArgs } from "./migration_params.ts";
 * checkMigrationArgs({}, 1, "qemuDomainMigrateBegin3Params"); // VIR_MIGRATE_LIVE passes
 * ```
 */
export function checkMigrationArgs(params: TypedParams, flags: number, fn: string): void {
  checkFlags(flags, KNOWN_FLAGS, fn, "QEMU");
  for (const [name, value] of Object.entries(params)) {
    const want = HONOURED[name];
    if (!want && !NOT_HONOURED.has(name)) {
      throw VirError.report("NONE", "ARGUMENT_UNSUPPORTED", `parameter '${name}' not supported`);
    }
    if (!want) {
      throw VirError.report(
        "QEMU",
        "ARGUMENT_UNSUPPORTED",
        `migration parameter '${name}' is not supported by this driver`,
      );
    }
    if ((want === "string") !== (typeof value === "string")) {
      throw VirError.report(
        "NONE",
        "INVALID_ARG",
        `invalid type '${typeof value}' for parameter '${name}', expected '${want}'`,
      );
    }
  }
}

/**
 * `qemuMigrationSrcBeginPhase`'s flag rules (post-copy, offline, zero-copy), then the refusal of what this
 * driver does not carry out.
 *
 * @example
 * ```ts
 * import { checkMigrationFlags } from "./migration_params.ts";
 * checkMigrationFlags(1); // VIR_MIGRATE_LIVE passes
 * ```
 */
export function checkMigrationFlags(flags: number): void {
  if (flags & E.MIGRATE_POSTCOPY && (!(flags & E.MIGRATE_LIVE) || flags & E.MIGRATE_PAUSED)) {
    throw VirError.report(
      "QEMU",
      "ARGUMENT_UNSUPPORTED",
      "post-copy migration is not supported with non-live or paused migration",
    );
  }
  if (flags & E.MIGRATE_POSTCOPY && flags & E.MIGRATE_TUNNELLED) {
    throw VirError.report(
      "QEMU",
      "ARGUMENT_UNSUPPORTED",
      "post-copy is not supported with tunnelled migration",
    );
  }
  if (flags & E.MIGRATE_OFFLINE) {
    if (flags & (E.MIGRATE_NON_SHARED_DISK | E.MIGRATE_NON_SHARED_INC)) {
      throw VirError.report(
        "QEMU",
        "OPERATION_INVALID",
        "offline migration cannot handle non-shared storage",
      );
    }
    if (!(flags & E.MIGRATE_PERSIST_DEST)) {
      throw VirError.report(
        "QEMU",
        "OPERATION_INVALID",
        "offline migration must be specified with the persistent flag set",
      );
    }
    if (flags & E.MIGRATE_TUNNELLED) {
      throw VirError.report(
        "QEMU",
        "OPERATION_INVALID",
        "tunnelled offline migration does not make sense",
      );
    }
  }
  if (flags & E.MIGRATE_ZEROCOPY && !(flags & E.MIGRATE_PARALLEL)) {
    throw VirError.report(
      "QEMU",
      "OPERATION_INVALID",
      "zero-copy is only available for parallel migration",
    );
  }
  const refused = REFUSED_FLAGS.find((r) => flags & r.flag);
  if (refused) throw VirError.report("QEMU", refused.code, refused.message);
}

/** libvirt's default migration port range (`qemu.conf` migration_port_min/max). */
export const MIGRATION_PORTS = { min: 49152, max: 49215 } as const;

/** Ports handed out and not yet released, across this process's drivers. */
const reserved = new Set<number>();

/**
 * Every check of a step after Begin, in libvirt's order.
 *
 * @example
 * ```ts
 * import { checkMigration } from "./migration_params.ts";
 * checkMigration({}, 1, "qemuDomainMigrateFinish3Params");
 * ```
 */
export function checkMigration(params: TypedParams, flags: number, fn: string): void {
  checkMigrationArgs(params, flags, fn);
  checkMigrationFlags(flags);
}

/**
 * `virPortAllocatorAcquire` on the migration range: the first port neither reserved nor bound
 * on `address`.
 *
 * @example
 * ```ts
 * import { acquireMigrationPort, releaseMigrationPort } from "./migration_params.ts";
 * const port = acquireMigrationPort("127.0.0.1");
 * releaseMigrationPort(port);
 * ```
 */
export function acquireMigrationPort(address: string): number {
  for (let port = MIGRATION_PORTS.min; port <= MIGRATION_PORTS.max; port++) {
    if (reserved.has(port)) continue;
    try {
      Deno.listen({ hostname: address, port }).close();
    } catch {
      continue;
    }
    reserved.add(port);
    return port;
  }
  throw VirError.report(
    "NONE",
    "INTERNAL_ERROR",
    `Unable to find an unused port in range 'migration' (${MIGRATION_PORTS.min}-${MIGRATION_PORTS.max})`,
  );
}

/**
 * `virPortAllocatorRelease`.
 *
 * @example
 * ```ts
 * import { releaseMigrationPort } from "./migration_params.ts";
 * releaseMigrationPort(49152);
 * ```
 */
export function releaseMigrationPort(port: number): void {
  reserved.delete(port);
}
