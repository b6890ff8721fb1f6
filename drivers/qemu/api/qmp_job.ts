/**
 * A QMP job run to its end by the driver itself (the snapshot jobs, `blockdev-create`):
 * started with its id, `query-jobs` asked until it concludes (at once when QEMU's
 * JOB_STATUS_CHANGE tells so, else every 10 ms), then dismissed.
 *
 * @module
 */
import { VirError } from "../../../util/errors.ts";
import type { QemuMonitor } from "../monitor/qemu_monitor.ts";
import { eventNap } from "../monitor/event_nap.ts";

/** How often `query-jobs` is asked while no JOB_STATUS_CHANGE tells the job's end. */
const POLL_MS = 10;

/** QMP `query-jobs` entries (the fields used). */
interface JobInfo {
  id: string;
  status: string;
  error?: string;
}

/**
 * Runs `command` as job `id` and waits for it; its error is the call's, worded by `failure`
 * (libvirt's OPERATION_FAILED).
 *
 * @example
 * ```ts
 * import { runQmpJob } from "./qmp_job.ts";
 * declare const monitor: import("../monitor/qemu_monitor.ts").QemuMonitor;
 * await runQmpJob(monitor, "snapshot-save", "snapshot-save0", { tag: "s1", vmstate: "n", devices: ["n"] });
 * ```
 */
export async function runQmpJob(
  mon: QemuMonitor,
  command: string,
  id: string,
  args: Record<string, unknown>,
  failure: (error: string) => string = (error) => error,
): Promise<void> {
  // QEMU announces every job's status change (JOB_STATUS_CHANGE): its end cuts the poll short.
  const waker = eventNap(
    mon,
    (ev) =>
      ev.event === "JOB_STATUS_CHANGE" && ev.data?.id === id &&
      (ev.data.status === "concluded" || ev.data.status === "null"),
  );
  try {
    await mon.run(command, { "job-id": id, ...args });
    for (;;) {
      const job = (await mon.run<JobInfo[]>("query-jobs")).find((j) => j.id === id);
      if (!job || job.status === "concluded" || job.status === "null") {
        if (job?.status === "concluded") await mon.run("job-dismiss", { id });
        if (job?.error) throw VirError.report("QEMU", "OPERATION_FAILED", failure(job.error));
        return;
      }
      await waker.nap(POLL_MS);
    }
  } finally {
    waker.close();
  }
}
