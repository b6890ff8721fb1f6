/**
 * The migration tunables of a domain as libvirt's QEMU driver keeps them
 * (`qemuDomainMigrate{Set,Get}MaxDowntime`, `…CompressionCache`, `…MaxSpeed`,
 * `qemuDomainMigrateStartPostCopy`): QEMU's own `downtime-limit`, `xbzrle-cache-size` and
 * `max-postcopy-bandwidth` through `migrate-set-parameters` / `query-migrate-parameters`, and
 * the bandwidth a migration gets (libvirt's `priv->migMaxBandwidth`, MiB/s), which may be set
 * while the domain is shut off and is what the next migration is limited to.
 *
 * @module
 */
import { VIR } from "../../../util/constants.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import { checkActive, isActive } from "../../../conf/objects/domain_obj.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import { migratingOut } from "./state_job.ts";

const MIB = 1024 * 1024;

/**
 * `QEMU_DOMAIN_MIG_BANDWIDTH_MAX` on 64-bit hosts, `INT64_MAX / MiB`: the default and the
 * largest bandwidth of a migration; post-copy's largest is `ULLONG_MAX / MiB`.
 */
const MIG_BANDWIDTH_MAX = 8796093022207;
const POSTCOPY_BANDWIDTH_MAX = 17592186044415;

const bandwidths = new WeakMap<QemuDomainObj, number>();

/**
 * The bandwidth (MiB/s) `virDomainMigrateSetMaxSpeed` set for the domain's migrations, which a
 * migration whose caller gives none is limited to; undefined while never set (libvirt's
 * unlimited default).
 *
 * @example
 * ```ts
 * import { keptBandwidth } from "./migration_tunables.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * keptBandwidth(obj); // undefined until set
 * ```
 */
export function keptBandwidth(obj: QemuDomainObj): number | undefined {
  return bandwidths.get(obj);
}

/**
 * Runs `fn` on the running domain as libvirt's `VIR_JOB_MIGRATION_OP` job: inside an outgoing
 * migration's async job (which lets these through, `qemuMigrationJobStart`), else in the
 * domain's job.
 */
function migrationOp<T>(obj: QemuDomainObj, fn: () => Promise<T>): Promise<T> {
  const active = () => {
    checkActive(obj);
    return fn();
  };
  return migratingOut(obj) ? active() : obj.job.run(active);
}

async function setParameters(obj: QemuDomainObj, params: Record<string, number>): Promise<void> {
  await obj.proc!.monitor.run("migrate-set-parameters", params);
}

/** `query-migrate-parameters`' value of `name`, undefined when this QEMU has none. */
async function parameter(obj: QemuDomainObj, name: string): Promise<number | undefined> {
  const params = await obj.proc!.monitor.run<Record<string, unknown>>("query-migrate-parameters");
  const v = params[name];
  return typeof v === "number" ? v : undefined;
}

/** `qemuMigrationCapsGet(vm, QEMU_MIGRATION_CAP_XBZRLE)`: the QEMU knows compressed migration. */
async function checkXbzrle(obj: QemuDomainObj): Promise<void> {
  const caps = await obj.proc!.monitor.run<{ capability: string }[]>(
    "query-migrate-capabilities",
  );
  if (!caps.some((c) => c.capability === "xbzrle")) {
    throw VirError.report(
      "QEMU",
      "OPERATION_UNSUPPORTED",
      "Compressed migration is not supported by QEMU binary",
    );
  }
}

/**
 * `qemuDomainMigrateSetMaxDowntime`: the longest pause (ms) at the end of a live migration.
 *
 * @example
 * ```ts
 * import { setMaxDowntime } from "./migration_tunables.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await setMaxDowntime(obj, 500, 0);
 * ```
 */
export function setMaxDowntime(obj: QemuDomainObj, downtime: number, flags: number): Promise<void> {
  checkFlags(flags, 0, "qemuDomainMigrateSetMaxDowntime", "QEMU");
  return migrationOp(obj, () => setParameters(obj, { "downtime-limit": downtime }));
}

/**
 * `qemuDomainMigrateGetMaxDowntime`, ms.
 *
 * @example
 * ```ts
 * import { getMaxDowntime } from "./migration_tunables.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await getMaxDowntime(obj, 0); // 300, QEMU's default
 * ```
 */
export async function getMaxDowntime(obj: QemuDomainObj, flags: number): Promise<number> {
  checkFlags(flags, 0, "qemuDomainMigrateGetMaxDowntime", "QEMU");
  const downtime = await obj.job.run(() => {
    checkActive(obj);
    return parameter(obj, "downtime-limit");
  });
  if (downtime === undefined) {
    throw VirError.report(
      "QEMU",
      "OPERATION_INVALID",
      "Querying migration downtime is not supported by QEMU binary",
    );
  }
  return downtime;
}

/**
 * `qemuDomainMigrateGetCompressionCache`: the XBZRLE cache, bytes.
 *
 * @example
 * ```ts
 * import { getCompressionCache } from "./migration_tunables.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await getCompressionCache(obj, 0); // 67108864, QEMU's default
 * ```
 */
export function getCompressionCache(obj: QemuDomainObj, flags: number): Promise<number> {
  checkFlags(flags, 0, "qemuDomainMigrateGetCompressionCache", "QEMU");
  return obj.job.run(async () => {
    checkActive(obj);
    await checkXbzrle(obj);
    return await parameter(obj, "xbzrle-cache-size") ?? 0;
  });
}

/**
 * `qemuDomainMigrateSetCompressionCache`, bytes.
 *
 * @example
 * ```ts
 * import { setCompressionCache } from "./migration_tunables.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await setCompressionCache(obj, 1 << 27, 0);
 * ```
 */
export function setCompressionCache(
  obj: QemuDomainObj,
  cacheSize: number,
  flags: number,
): Promise<void> {
  checkFlags(flags, 0, "qemuDomainMigrateSetCompressionCache", "QEMU");
  return migrationOp(obj, async () => {
    await checkXbzrle(obj);
    await setParameters(obj, { "xbzrle-cache-size": cacheSize });
  });
}

/**
 * `qemuDomainMigrateSetMaxSpeed`: the migration's bandwidth, MiB/s (kept for the next migration
 * while the domain is shut off), or with `VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY` QEMU's
 * post-copy bandwidth.
 *
 * @example
 * ```ts
 * import { setMaxSpeed } from "./migration_tunables.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await setMaxSpeed(obj, 100, 0);
 * ```
 */
export async function setMaxSpeed(
  obj: QemuDomainObj,
  bandwidth: number,
  flags: number,
): Promise<void> {
  checkFlags(flags, VIR.DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY, "qemuDomainMigrateSetMaxSpeed", "QEMU");
  const postcopy = (flags & VIR.DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY) !== 0;
  const max = postcopy ? POSTCOPY_BANDWIDTH_MAX : MIG_BANDWIDTH_MAX;
  if (bandwidth > max) {
    throw VirError.report("QEMU", "OVERFLOW", `bandwidth must be less than ${max + 1}`);
  }
  if (!postcopy && !isActive(obj)) {
    bandwidths.set(obj, bandwidth);
    return;
  }
  await migrationOp(obj, async () => {
    const param = postcopy ? "max-postcopy-bandwidth" : "max-bandwidth";
    await setParameters(obj, { [param]: bandwidth * MIB });
    if (!postcopy) bandwidths.set(obj, bandwidth);
  });
}

/**
 * `qemuDomainMigrateGetMaxSpeed`, MiB/s: the bandwidth kept for migrations, or with
 * `VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY` QEMU's post-copy bandwidth.
 *
 * @example
 * ```ts
 * import { getMaxSpeed } from "./migration_tunables.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await getMaxSpeed(obj, 0); // 8796093022207 until set
 * ```
 */
export async function getMaxSpeed(obj: QemuDomainObj, flags: number): Promise<number> {
  checkFlags(flags, VIR.DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY, "qemuDomainMigrateGetMaxSpeed", "QEMU");
  if (!(flags & VIR.DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY)) {
    return keptBandwidth(obj) ?? MIG_BANDWIDTH_MAX;
  }
  const bytes = await obj.job.run(() => {
    checkActive(obj);
    return parameter(obj, "max-postcopy-bandwidth");
  });
  if (bytes === undefined) {
    throw VirError.report(
      "QEMU",
      "OPERATION_INVALID",
      "querying maximum post-copy migration speed is not supported by QEMU binary",
    );
  }
  return Math.floor(bytes / MIB);
}
