/**
 * libvirt's `qemuMigrationSrcIsAllowed`: whether a domain's state may leave its QEMU — checked
 * before a migration (`remote`), a save, a core dump with the device state and a snapshot of a
 * running domain, in libvirt's order, with QEMU's own migration blockers asked first
 * (`query-migrate`'s `blocked-reasons`, which QEMU 7.2 has, so libvirt skips its host device
 * checks).
 *
 * @module
 */
import { child, type XmlElement } from "../../../util/xml/mod.ts";
import { VirError } from "../../../util/errors.ts";
import { VIR as E } from "../../../util/constants.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import { jobsOf } from "./block_job_state.ts";
import { refuseTransientMigration } from "./transient_disks.ts";

const invalid = (message: string) => VirError.report("QEMU", "OPERATION_INVALID", message);

/** `virCPUCheckFeature(…, "invtsc") == 1`: the CPU definition requires invariant TSC. */
function requiresInvtsc(cpu: { extra: XmlElement[] } | undefined): boolean {
  return !!cpu?.extra.some((e) =>
    e.name === "feature" && e.attributes.name === "invtsc" &&
    ["require", "force"].includes(e.attributes.policy ?? "require")
  );
}

/**
 * Throws libvirt's error when `obj`'s state may not be migrated away (`remote`: to another
 * host, with the migration's `flags`) or saved (a save, a dump, a snapshot).
 *
 * @example
 * ```ts ignore
 * import { checkMigrationAllowed } from "./migration_allowed.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await checkMigrationAllowed(obj, false); // before a save
 * ```
 */
export async function checkMigrationAllowed(
  obj: QemuDomainObj,
  remote: boolean,
  flags = 0,
): Promise<void> {
  // Snapshot metadata does not travel with the domain.
  if (remote && obj.snapshots.size > 0) {
    throw invalid(`cannot migrate domain with ${obj.snapshots.size} snapshots`);
  }
  if (flags & E.MIGRATE_OFFLINE) return;
  const info = await obj.proc!.monitor.run<{ "blocked-reasons"?: string[] }>("query-migrate");
  const blockers = info["blocked-reasons"] ?? [];
  if (blockers.length) throw invalid(`cannot migrate domain: ${blockers.join("; ")}`);
  if (
    remote && flags & E.MIGRATE_ABORT_ON_ERROR && obj.state === E.DOMAIN_PAUSED &&
    obj.reason === E.DOMAIN_PAUSED_IOERROR
  ) {
    throw invalid("cannot migrate domain with I/O error");
  }
  if (jobsOf(obj).size) throw invalid("domain has active block job");
  const def = obj.def;
  // QEMU blocks migration and save with invariant TSC unless its frequency is set.
  if (
    requiresInvtsc(def.cpu) &&
    !def.clock?.timers.some((t) =>
      t.attributes.name === "tsc" && Number(t.attributes.frequency ?? 0) > 0
    )
  ) {
    throw invalid("domain has 'invtsc' CPU feature but TSC frequency is not specified");
  }
  for (const dev of def.devices.other) {
    if (
      dev.name === "memory" && dev.attributes.model === "dimm" &&
      child(dev, "address")?.attributes.type !== "dimm"
    ) {
      throw invalid("domain's dimm info lacks slot ID or base address");
    }
    if (dev.name !== "shmem") continue;
    if ((child(dev, "model")?.attributes.type ?? "ivshmem-plain") === "ivshmem") {
      throw invalid("migration with legacy shmem device is not supported");
    }
    if (dev.attributes.role === "master") {
      throw invalid(
        `shmem device '${dev.attributes.name}' cannot be migrated, only shmem with role='peer' can be migrated`,
      );
    }
  }
  for (const dev of def.devices.other) {
    if (dev.name === "filesystem" && child(dev, "driver")?.attributes.type === "virtiofs") {
      throw invalid("migration with virtiofs device is not supported");
    }
  }
  refuseTransientMigration(def);
}
