/**
 * QEMU's migration stream into a file (libvirt's `qemuMigrationSrcToFile`), the part a save and
 * a full core dump share: unthrottled, appended to what the file holds, watched as the domain's
 * async job. libvirt hands QEMU an open file (`fd:`); edgevirt cannot pass descriptors over the
 * monitor socket, so QEMU runs a shell command (`exec:`) that appends to the file.
 *
 * @module
 */
import { VirError } from "../../../util/errors.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuMonitor } from "../monitor/qemu_monitor.ts";
import { emitJobCompleted, recordCompletedJob, runAsyncJob } from "./state_job.ts";
import { runMigration } from "./migration_wait.ts";
import type { EventHost } from "./events_qmp.ts";
// A file takes the stream unthrottled.
import { UNLIMITED_BANDWIDTH } from "./migration_caps.ts";

/**
 * A path as one shell word.
 *
 * @example
 * ```ts
 * import { shellQuote } from "./migrate_file.ts";
 * shellQuote("/tmp/it's"); // "'/tmp/it'\\''s'"
 * ```
 */
export function shellQuote(path: string): string {
  return `'${path.replaceAll("'", `'\\''`)}'`;
}

/**
 * The migration blocker QEMU's dump thread drops last, after DUMP_COMPLETED (and the RESUME of
 * a guest the dump paused): a migration asked for in that moment is refused with this.
 */
const DUMP_TAIL = "Live migration disabled: dump-guest-memory in progress";

/**
 * `migrate` to `uri`; while a finished dump's tail still blocks it (the domain's job lock keeps
 * any other dump out), asked again after a short wait, up to about a second.
 */
async function startMigration(mon: QemuMonitor, uri: string): Promise<void> {
  for (let wait = 4;; wait *= 2) {
    try {
      await mon.run("migrate", { detach: true, resume: false, uri });
      return;
    } catch (err) {
      if (wait > 512 || !(err instanceof VirError && err.message.includes(DUMP_TAIL))) throw err;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

/**
 * Appends QEMU's migration stream to `path` as async job `operation` (named `name` in its
 * errors), then announces the completed job (JOB_COMPLETED, its statistics kept for
 * GetJobStats); the bandwidth is unlimited while it runs and after.
 *
 * @example
 * ```ts
 * import { migrateToFile } from "./migrate_file.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await migrateToFile(state, obj, "/var/tmp/vm.save", 2, "domain save job");
 * ```
 */
export async function migrateToFile(
  host: EventHost,
  obj: QemuDomainObj,
  path: string,
  operation: number,
  name: string,
): Promise<void> {
  const mon = obj.proc!.monitor;
  await runAsyncJob(obj, operation, name, async () => {
    await mon.run("migrate-set-parameters", { "max-bandwidth": UNLIMITED_BANDWIDTH });
    try {
      const info = await runMigration(
        mon,
        name,
        () => startMigration(mon, `exec:cat >> ${shellQuote(path)}`),
      );
      await migrationFinalized(mon);
      recordCompletedJob(obj, info);
      emitJobCompleted(host, obj);
    } finally {
      await mon.run("migrate-set-parameters", { "max-bandwidth": UNLIMITED_BANDWIDTH }).catch(
        () => {},
      );
    }
  });
}

/**
 * QEMU reports a migration completed (its MIGRATION event, `query-migrate`) before its main loop
 * has finished it (`migrate_fd_cleanup`): until then the runstate is `finish-migrate`, and a
 * `cont` — a dump that resumes the guest, a failed save — is refused with "Migration is not
 * finalized yet". Asked until it is over (a few ms at most), never longer than 5 s.
 */
async function migrationFinalized(mon: QemuMonitor): Promise<void> {
  const until = Date.now() + 5000;
  while (Date.now() < until) {
    const { status } = await mon.run<{ status?: string }>("query-status");
    if (status !== "finish-migrate") return;
    await new Promise((r) => setTimeout(r, 2));
  }
}
