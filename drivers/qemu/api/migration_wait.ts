/**
 * Waiting for QEMU's migration (a save, a dump, a restore, either side of a migration) to end
 * as libvirt 9.0 waits: QEMU's `events` migration capability is set on every QEMU the driver
 * starts (`qemuMigrationCapsCheck`, run by `qemuConnectMonitor`), and the wait wakes on its
 * MIGRATION events (`qemuProcessHandleMigrationStatus`, then the job's condition), not on a
 * timer. `query-migrate` then reads how it ended: the status, QEMU's error, the final
 * statistics. A QEMU without the capability, or one whose event never comes, is polled.
 *
 * @module
 */
import { VirError } from "../../../util/errors.ts";
import type { QemuMonitor } from "../monitor/qemu_monitor.ts";
import { eventNap } from "../monitor/event_nap.ts";
import { keepMigrationCaps } from "./migration_caps.ts";

/** QMP `query-migrate` (the fields used). */
export interface MigrateInfo {
  status?: string;
  "error-desc"?: string;
  ram?: {
    transferred?: number;
    remaining?: number;
    total?: number;
    duplicate?: number;
    normal?: number;
    "normal-bytes"?: number;
    mbps?: number;
    "dirty-pages-rate"?: number;
    "page-size"?: number;
    "dirty-sync-count"?: number;
    "postcopy-requests"?: number;
  };
  "setup-time"?: number;
  downtime?: number;
  "expected-downtime"?: number;
  "cpu-throttle-percentage"?: number;
}

/** The monitors whose QEMU sends MIGRATION events. */
const withEvents = new WeakSet<QemuMonitor>();

/**
 * The statuses a wait acts on: the ends, the source's pause before the switch-over, and the
 * switch to post-copy.
 */
const WAKING = new Set(["completed", "failed", "cancelled", "pre-switchover", "postcopy-active"]);

/**
 * A wait that may end at the switch to post-copy (`QEMU_MIGRATION_COMPLETED_POSTCOPY`): on a
 * source that pauses before the switch-over, QEMU reports post-copy both before and after that
 * pause, and only the second is the switch.
 */
export interface PostcopyWait {
  /** The source pauses before the switch-over (its capability is on). */
  afterPause: boolean;
}

/**
 * With events on, `query-migrate` is still asked this often, in case an event was missed: a
 * safety net, never the pace of a wait.
 */
const SAFETY_MS = 1000;

/**
 * `qemuMigrationCapsCheck` at a QEMU's start: the capabilities QEMU has (kept for migrations,
 * `migration_caps.ts`), then `events` set on (libvirt sets nothing else there). On reconnecting to a running QEMU nothing is set, as
 * libvirt's `reconnect`; its events are on if an earlier start set them.
 *
 * @example
 * ```ts
 * import { enableMigrationEvents } from "./migration_wait.ts";
 * declare const monitor: import("../monitor/qemu_monitor.ts").QemuMonitor;
 * await enableMigrationEvents(monitor, false);
 * ```
 */
export async function enableMigrationEvents(mon: QemuMonitor, reconnect: boolean): Promise<void> {
  const caps = await mon.run<{ capability: string; state: boolean }[]>(
    "query-migrate-capabilities",
  );
  keepMigrationCaps(mon, caps.map((c) => c.capability));
  const events = caps.find((c) => c.capability === "events");
  if (!events || (reconnect && !events.state)) return;
  if (!reconnect) {
    await mon.run("migrate-set-capabilities", {
      capabilities: [{ capability: "events", state: true }],
    });
  }
  withEvents.add(mon);
}

/**
 * A watch on one migration of a QEMU, set before the command that starts it (so no event
 * goes unseen), closed after its wait.
 */
export interface MigrationWatch {
  /**
   * Waits for the migration to end (`qemuMigrationSrcWaitForCompletion` /
   * `qemuMigrationDstWaitForCompletion`) and answers QEMU's last `query-migrate`; a failure or
   * cancellation is libvirt's error naming the job. At the source's pause before the
   * switch-over, `beforeSwitchover` runs (a storage migration ends its disk mirrors there)
   * before the migration goes on. With `postcopy`, the wait ends at the switch to post-copy
   * too, QEMU's status then `postcopy-active`.
   */
  wait(
    name: string,
    beforeSwitchover?: () => Promise<void>,
    postcopy?: PostcopyWait,
  ): Promise<MigrateInfo>;
  /** Stops listening. */
  close(): void;
}

/**
 * Watches the next migration of `mon`'s QEMU.
 *
 * @example
 * ```ts
 * import { watchMigration } from "./migration_wait.ts";
 * declare const monitor: import("../monitor/qemu_monitor.ts").QemuMonitor;
 * const watch = watchMigration(monitor);
 * try {
 *   await monitor.run("migrate", { uri: "exec:cat > /dev/null" });
 *   await watch.wait("domain save job");
 * } finally {
 *   watch.close();
 * }
 * ```
 */
export function watchMigration(mon: QemuMonitor): MigrationWatch {
  const events = withEvents.has(mon);
  const waker = eventNap(
    mon,
    (ev) => ev.event === "MIGRATION" && WAKING.has(String(ev.data?.status)),
  );
  return {
    async wait(
      name: string,
      beforeSwitchover?: () => Promise<void>,
      postcopy?: PostcopyWait,
    ): Promise<MigrateInfo> {
      const started = performance.now();
      let paused = false;
      for (;;) {
        if (events) await waker.nap(SAFETY_MS);
        const info = await mon.run<MigrateInfo>("query-migrate");
        switch (info.status) {
          case "completed":
            return info;
          case "failed":
            throw VirError.report(
              "QEMU",
              "OPERATION_FAILED",
              `${name}: ${info["error-desc"] ?? "unexpectedly failed"}`,
            );
          case "cancelled":
            throw VirError.report("QEMU", "OPERATION_ABORTED", `${name}: canceled by client`);
          case "pre-switchover":
            // The source's pause-before-switchover (qemuMigrationSrcContinue): the vCPUs are
            // stopped, the device state not yet sent.
            await beforeSwitchover?.();
            await mon.run("migrate-continue", { state: "pre-switchover" });
            paused = true;
            continue;
          case "postcopy-active":
            if (postcopy && (paused || !postcopy.afterPause)) return info;
        }
        // Without events, the poll: a quarter of the time so far, so that a save of a few ms
        // is seen done within a ms or two, a long migration every 20 ms.
        if (!events) await waker.nap(Math.min(20, Math.max(1, (performance.now() - started) / 4)));
      }
    },
    close: waker.close,
  };
}

/**
 * Runs `start` (the `migrate` or `migrate-incoming` command) under a watch and waits for the
 * migration it starts (`beforeSwitchover` and `postcopy` as {@link MigrationWatch.wait}); answers QEMU's last
 * `query-migrate`.
 *
 * @example
 * ```ts
 * import { runMigration } from "./migration_wait.ts";
 * declare const monitor: import("../monitor/qemu_monitor.ts").QemuMonitor;
 * await runMigration(monitor, "domain restore job", () =>
 *   monitor.run("migrate-incoming", { uri: "exec:cat /var/tmp/vm.save" }));
 * ```
 */
export async function runMigration(
  mon: QemuMonitor,
  name: string,
  start: () => Promise<unknown>,
  beforeSwitchover?: () => Promise<void>,
  postcopy?: PostcopyWait,
): Promise<MigrateInfo> {
  const watch = watchMigration(mon);
  try {
    await start();
    return await watch.wait(name, beforeSwitchover, postcopy);
  } finally {
    watch.close();
  }
}
