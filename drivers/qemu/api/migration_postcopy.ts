/**
 * Post-copy migration of the QEMU driver (libvirt 9.0): `virDomainMigrateStartPostCopy`
 * (`qemuDomainMigrateStartPostCopy`) switches a migration started with VIR_MIGRATE_POSTCOPY,
 * and the source's state follows QEMU's switch (`qemuProcessHandleMigrationStatus`,
 * `qemuProcessHandleStop`): paused for post-copy, with SUSPENDED_POSTCOPY. The waits of either
 * side end at the switch as libvirt's (`migration_wait.ts`), the destination resuming its guest
 * there (`migration.ts`).
 *
 * @module
 */
import { checkActive } from "../../../conf/objects/domain_obj.ts";
import { VIR } from "../../../util/constants.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuMonitor } from "../monitor/qemu_monitor.ts";
import type { EventHost } from "./events_qmp.ts";
import { migratingOut } from "./state_job.ts";

const E = VIR;

/** The flags of each domain's outgoing migration while it runs (libvirt's job `apiFlags`). */
const outgoingFlags = new WeakMap<QemuDomainObj, number>();

/**
 * Watches an outgoing migration with `flags` of `obj` until the answer is called: its flags for
 * {@link migrateStartPostCopy}; each pass over memory QEMU begins (MIGRATION_PASS), announced
 * as MIGRATION_ITERATION (`qemuProcessHandleMigrationPass`; virsh's `--postcopy-after-precopy`
 * switches at the second); and QEMU's switch to post-copy, which pauses the source for
 * post-copy (a STOP after the switch gets that reason; a source already paused for the
 * migration gets it with SUSPENDED_POSTCOPY, as `qemuProcessHandleMigrationStatus` corrects it).
 *
 * @example
 * ```ts
 * import { watchOutgoing } from "./migration_postcopy.ts";
 * declare const host: import("./events_qmp.ts").EventHost;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * declare const monitor: import("../monitor/qemu_monitor.ts").QemuMonitor;
 * const stop = watchOutgoing(host, obj, monitor, 0x8000);
 * stop();
 * ```
 */
export function watchOutgoing(
  host: EventHost,
  obj: QemuDomainObj,
  mon: QemuMonitor,
  flags: number,
): () => void {
  outgoingFlags.set(obj, flags);
  const off = mon.onEvent((ev) => {
    if (ev.event === "MIGRATION_PASS" && typeof ev.data?.pass === "number") {
      host.emitOther(obj, E.DOMAIN_EVENT_ID_MIGRATION_ITERATION, { iteration: ev.data.pass });
    }
    if (ev.event !== "MIGRATION" || ev.data?.status !== "postcopy-active") return;
    if (obj.state === E.DOMAIN_PAUSED && obj.reason === E.DOMAIN_PAUSED_MIGRATION) {
      obj.reason = E.DOMAIN_PAUSED_POSTCOPY;
      host.emit(obj, E.DOMAIN_EVENT_SUSPENDED, E.DOMAIN_EVENT_SUSPENDED_POSTCOPY);
      void host.saveStatus(obj).catch(() => {});
    } else if (obj.state === E.DOMAIN_RUNNING) {
      obj.pausedReason = E.DOMAIN_PAUSED_POSTCOPY;
    }
  });
  return () => {
    off();
    outgoingFlags.delete(obj);
  };
}

/**
 * `qemuDomainMigrateStartPostCopy`: QEMU switches the running outgoing migration to post-copy
 * (`migrate-start-postcopy`) once its first pass over memory ends.
 *
 * @example
 * ```ts
 * import { migrateStartPostCopy } from "./migration_postcopy.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await migrateStartPostCopy(obj, 0);
 * ```
 */
export async function migrateStartPostCopy(obj: QemuDomainObj, flags: number): Promise<void> {
  checkFlags(flags, 0, "qemuDomainMigrateStartPostCopy", "QEMU");
  checkActive(obj);
  if (!migratingOut(obj)) {
    throw VirError.report(
      "QEMU",
      "OPERATION_INVALID",
      "post-copy can only be started while outgoing migration is in progress",
    );
  }
  if (!((outgoingFlags.get(obj) ?? 0) & E.MIGRATE_POSTCOPY)) {
    throw VirError.report(
      "QEMU",
      "OPERATION_INVALID",
      "switching to post-copy requires migration to be started with VIR_MIGRATE_POSTCOPY flag",
    );
  }
  await obj.proc!.monitor.run("migrate-start-postcopy");
}
