/**
 * A QMP job run to its end by the driver itself (the snapshot jobs, `blockdev-create`):
 * started with its id, `query-jobs` polled until it concludes, then dismissed.
 *
 * @module
 */
import { VirError } from "../../../util/errors.ts";
import type { QemuMonitor } from "../monitor/qemu_monitor.ts";

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
  await mon.run(command, { "job-id": id, ...args });
  for (;;) {
    const job = (await mon.run<JobInfo[]>("query-jobs")).find((j) => j.id === id);
    if (!job || job.status === "concluded" || job.status === "null") {
      if (job?.status === "concluded") await mon.run("job-dismiss", { id });
      if (job?.error) throw VirError.report("QEMU", "OPERATION_FAILED", failure(job.error));
      return;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}
