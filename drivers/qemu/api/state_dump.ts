/**
 * `virDomainCoreDumpWithFormat` of the QEMU driver (libvirt 9.0's `qemuDomainCoreDumpWithFormat`
 * and `doCoreDump`): the guest paused unless LIVE, the file created as libvirt creates it, then
 * either QEMU's whole migration stream written there (the default, raw format only) or, with
 * MEMORY_ONLY, the guest's memory as QEMU's `dump-guest-memory` writes it (ELF or, where this
 * QEMU offers them, the kdump and win-dmp formats), run detached and followed with `query-dump`
 * as the domain's async job; afterwards the guest crashes (CRASH), resets (RESET) and runs on
 * as before.
 *
 * @module
 */
import { checkMigrationAllowed } from "./migration_allowed.ts";
import { checkActive, isActive } from "../../../conf/objects/domain_obj.ts";
import { VIR } from "../../../util/constants.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import { strerror } from "../../../util/strerror.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import type { QemuMonitor } from "../monitor/qemu_monitor.ts";
import { migrateToFile } from "./migrate_file.ts";
import { runAsyncJob, waitForAsyncJob } from "./state_job.ts";
import { refuseBypassCache } from "./state_save.ts";
import { domainShortName } from "../../../conf/domain/short_name.ts";

const E = VIR;
const DUMP_FLAGS = E.DUMP_LIVE | E.DUMP_CRASH | E.DUMP_BYPASS_CACHE | E.DUMP_RESET |
  E.DUMP_MEMORY_ONLY;
/** libvirt's job name in the errors of a full dump (`qemuMigrationJobName`). */
const JOB_NAME = "domain core dump job";

/** `qemuDumpFormat`: VIR_DOMAIN_CORE_DUMP_FORMAT_* as QEMU names them. */
const DUMP_FORMATS = ["elf", "kdump-zlib", "kdump-lzo", "kdump-snappy", "win-dmp"];

/** The `data` of QEMU's DUMP_COMPLETED event. */
interface DumpCompleted {
  result: { status: string; completed: number; total: number };
  error?: string;
}

/**
 * `virQEMUFileOpenAs(O_CREAT | O_TRUNC | O_WRONLY)`: the dump file, empty and private; whether
 * this call made it (a failed dump removes only a file it made).
 */
async function createDumpFile(path: string): Promise<boolean> {
  const existed = await Deno.lstat(path).then(() => true, () => false);
  try {
    const file = await Deno.open(path, { write: true, create: true, truncate: true, mode: 0o600 });
    file.close();
  } catch (err) {
    throw VirError.report(
      "QEMU",
      "SYSTEM_ERROR",
      `Failed to create file '${path}': ${strerror(err)}`,
    );
  }
  return !existed;
}

/**
 * `qemuDumpToFd`: QEMU writes the guest's memory to `path` in `format` (null: ELF), detached,
 * and the job waits for its DUMP_COMPLETED (`qemuDumpWaitForCompletion`).
 */
async function dumpMemory(
  obj: QemuDomainObj,
  path: string,
  format: string | null,
  running: boolean,
) {
  const mon = obj.proc!.monitor;
  // QEMU pauses a running guest for the dump itself and its dump thread restarts it after
  // DUMP_COMPLETED; a `stop` sent in between hangs QEMU's main loop (pause_all_vcpus waits on
  // vCPUs the dump thread has just resumed), so a dump of a running guest ends at its RESUME.
  await runAsyncJob(obj, E.DOMAIN_JOB_OPERATION_DUMP, JOB_NAME, async () => {
    if (format !== null) {
      const caps = await mon.run<{ formats?: string[] }>("query-dump-guest-memory-capability");
      if (!caps.formats) {
        throw VirError.report("QEMU", "INTERNAL_ERROR", "missing supported dump formats");
      }
      if (!caps.formats.includes(format)) {
        throw VirError.report(
          "QEMU",
          "INVALID_ARG",
          `unsupported dumpformat '${format}' for this QEMU binary`,
        );
      }
    }
    const completed = dumpCompleted(mon, running);
    try {
      await mon.run("dump-guest-memory", {
        paging: false,
        protocol: `file:${path}`,
        ...(format === null ? {} : { format }),
        detach: true,
      });
      const done = await completed.result;
      if (done.result.status === "failed") {
        throw VirError.report(
          "QEMU",
          "OPERATION_FAILED",
          done.error
            ? `memory-only dump failed: ${done.error}`
            : "memory-only dump failed for unknown reason",
        );
      }
    } finally {
      completed.off();
    }
  }, "memdump");
}

/** How long after DUMP_COMPLETED a resuming dump's RESUME may take before QEMU is asked. */
const RESUME_WAIT_MS = 500;

/**
 * QEMU's DUMP_COMPLETED (and, when the dump `resumes` the guest, the RESUME of its dump thread),
 * or libvirt's `virDomainObjWait` error when QEMU goes first; listened for before the dump
 * starts, since a small guest's dump ends before its command is answered. The RESUME counts on
 * either side of DUMP_COMPLETED, and a guest QEMU reports running after DUMP_COMPLETED counts as
 * resumed: a live kdump in a loaded CI run once waited for ever after QEMU had written the file
 * and resumed the guest.
 */
function dumpCompleted(
  mon: QemuMonitor,
  resumes: boolean,
): { result: Promise<DumpCompleted>; off: () => void } {
  let off = () => {};
  let timer: ReturnType<typeof setTimeout> | undefined;
  const result = new Promise<DumpCompleted>((resolve, reject) => {
    let done: DumpCompleted | undefined;
    let resumed = !resumes;
    const check = () => {
      if (done && resumed) return resolve(done);
      if (!done) return;
      // Asked once the RESUME is late: a status query, never a stop, while the dump ends.
      timer ??= setTimeout(async function ask() {
        const status = await mon.run<{ running?: boolean }>("query-status")
          .catch(() => ({ running: false }));
        if (status.running) {
          resumed = true;
          return check();
        }
        timer = setTimeout(ask, RESUME_WAIT_MS);
      }, RESUME_WAIT_MS);
    };
    const listening = mon.onEvent((ev) => {
      if (ev.event === "DUMP_COMPLETED") done = ev.data as unknown as DumpCompleted;
      else if (ev.event === "RESUME") resumed = true;
      else return;
      check();
    });
    off = () => {
      listening();
      clearTimeout(timer);
    };
    mon.closed.then(() =>
      reject(VirError.report("QEMU", "OPERATION_FAILED", "domain is not running"))
    );
  });
  // Unawaited when the dump command itself fails.
  result.catch(() => {});
  return { result, off };
}

/**
 * `doCoreDump`: the file created, then filled by QEMU; a file this dump created goes when it
 * fails.
 */
async function doCoreDump(
  s: QemuDriverState,
  obj: QemuDomainObj,
  path: string,
  flags: number,
  format: number,
  running: boolean,
) {
  refuseBypassCache((flags & E.DUMP_BYPASS_CACHE) !== 0);
  const created = await createDumpFile(path);
  try {
    if (flags & E.DUMP_MEMORY_ONLY) {
      const name = DUMP_FORMATS[format];
      if (name === undefined) {
        throw VirError.report("QEMU", "INVALID_ARG", `unknown dumpformat '${format}'`);
      }
      // QEMU dumps ELF when asked for no format.
      await dumpMemory(obj, path, name === "elf" ? null : name, running);
    } else {
      if (format !== E.DOMAIN_CORE_DUMP_FORMAT_RAW) {
        throw VirError.report(
          "QEMU",
          "OPERATION_UNSUPPORTED",
          "kdump-compressed format is only supported with memory-only dump",
        );
      }
      await checkMigrationAllowed(obj, false);
      await migrateToFile(s, obj, path, E.DOMAIN_JOB_OPERATION_DUMP, JOB_NAME);
    }
  } catch (err) {
    if (created) await Deno.remove(path).catch(() => {});
    throw err;
  }
}

/**
 * `qemuDomainCoreDumpWithFormat`.
 *
 * @example
 * ```ts
 * import { coreDumpWithFormat } from "./state_dump.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await coreDumpWithFormat(state, obj, "/var/tmp/vm.core", 0, 16); // ELF, memory only
 * ```
 */
export async function coreDumpWithFormat(
  s: QemuDriverState,
  obj: QemuDomainObj,
  path: string,
  format: number,
  flags: number,
): Promise<void> {
  checkFlags(flags, DUMP_FLAGS, "qemuDomainCoreDumpWithFormat", "QEMU");
  await obj.job.run(async () => {
    await waitForAsyncJob(obj, s.asyncJobWaitMs);
    checkActive(obj);
    const mon = obj.proc!.monitor;
    const resume = obj.state === E.DOMAIN_RUNNING;
    let paused = false;
    if (!(flags & E.DUMP_LIVE) && resume) {
      obj.pausedReason = E.DOMAIN_PAUSED_DUMP;
      await mon.stop();
      paused = true;
    }
    let failure: unknown;
    try {
      // The vCPUs still run for a live dump of a running guest.
      await doCoreDump(s, obj, path, flags, format, resume && !paused);
      // A full dump is a migration, which leaves the vCPUs stopped.
      paused = true;
    } catch (err) {
      failure = err;
    }
    if (!failure && flags & E.DUMP_CRASH) {
      await s.stopProcess(obj, E.DOMAIN_SHUTOFF_CRASHED, E.DOMAIN_EVENT_STOPPED_CRASHED);
      return;
    }
    if (((resume && paused) || flags & E.DUMP_RESET) && isActive(obj)) {
      if (!failure && flags & E.DUMP_RESET) {
        await mon.systemReset().catch((err) => failure = err);
      }
      if (resume && isActive(obj)) await resumeAfterDump(obj, mon, failure === undefined);
    }
    if (failure !== undefined) throw failure;
    await s.saveStatus(obj);
  });
}

/**
 * `qemuProcessStartCPUs(RUNNING_UNPAUSED)` after the dump; its failure is the call's unless the
 * dump already failed.
 */
async function resumeAfterDump(obj: QemuDomainObj, mon: QemuMonitor, dumped: boolean) {
  // A live memory-only dump never stopped the vCPUs: QEMU sends no RESUME, yet libvirt
  // records the state as resumed.
  if (obj.state === E.DOMAIN_RUNNING) obj.reason = E.DOMAIN_RUNNING_UNPAUSED;
  obj.runningReason = E.DOMAIN_RUNNING_UNPAUSED;
  await mon.cont().catch((err) => {
    if (dumped) throw err;
  });
}

/** `%Y-%m-%d-%H:%M:%S` in local time, as libvirt stamps its automatic dumps. */
function dumpStamp(now: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}-` +
    `${p(now.getHours())}:${p(now.getMinutes())}:${p(now.getSeconds())}`;
}

/**
 * `doCoreDumpToAutoDumpPath` with libvirt's flags: the guest's memory (ELF) written to the
 * driver's automatic dump folder as `SHORTNAME-STAMP`, run inside the caller's job; libvirt's
 * "Dump failed" when it fails.
 *
 * @example
 * ```ts
 * import { dumpToAutoDumpPath } from "./state_dump.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await dumpToAutoDumpPath(state, obj); // e.g. …/dump/1-vm-2026-12-07-20:15:03
 * ```
 */
export async function dumpToAutoDumpPath(s: QemuDriverState, obj: QemuDomainObj): Promise<string> {
  const dir = s.paths.autoDumpDir;
  const path = `${dir}/${domainShortName(obj.def.id, obj.def.name)}-${dumpStamp(new Date())}`;
  try {
    await Deno.mkdir(dir, { recursive: true });
    await doCoreDump(s, obj, path, E.DUMP_MEMORY_ONLY, E.DOMAIN_CORE_DUMP_FORMAT_RAW, false);
  } catch (err) {
    s.log(`automatic dump of '${obj.def.name}' to ${path}: ${(err as Error).message}`);
    throw VirError.report("QEMU", "OPERATION_FAILED", "Dump failed");
  }
  return path;
}

/**
 * `processWatchdogEvent` for the `dump` action: QEMU paused the guest (the command line asked
 * it to), the driver dumps its memory to the automatic dump folder as its own job, then resumes
 * the guest whether or not the dump worked.
 *
 * @example
 * ```ts
 * import { watchdogDump } from "./state_dump.ts";
 * declare const state: import("../driver_state.ts").QemuDriverState;
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await watchdogDump(state, obj);
 * ```
 */
export async function watchdogDump(s: QemuDriverState, obj: QemuDomainObj): Promise<void> {
  await obj.job.run(async () => {
    if (!isActive(obj)) return;
    const dumped = await dumpToAutoDumpPath(s, obj).then(() => true, () => false);
    if (!isActive(obj)) return;
    await resumeAfterDump(obj, obj.proc!.monitor, true).catch((err) =>
      s.log(`Resuming after dump failed: ${(err as Error).message}`)
    );
    if (dumped) await s.saveStatus(obj);
  });
}
