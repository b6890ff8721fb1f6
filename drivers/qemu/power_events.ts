/**
 * What the driver does when QEMU reports a shutdown or a reset (libvirt's
 * `qemuProcessHandleShutdown`, `qemuProcessHandleReset`, `qemuProcessShutdownOrReboot` and
 * `qemuProcessFakeReboot`). QEMU runs with `-no-shutdown`, so a powered-off guest only
 * pauses: the driver then either ends QEMU or resets and resumes it (a "fake reboot").
 *
 * @module
 */
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import { isActive } from "../../conf/objects/domain_obj.ts";
import type { QemuDomainObj } from "./domain_private.ts";
import { poweroffRestarts } from "./lifecycle_actions.ts";

const E = VIR;

/** The parts of the driver state the handlers use. */
export interface PowerHost {
  emit(obj: QemuDomainObj, event: number, detail: number): void;
  /** Ends QEMU and the domain with `reason`, sending STOPPED with `detail`. */
  stopProcess(obj: QemuDomainObj, reason: number, detail: number): Promise<void>;
  emitOther(obj: QemuDomainObj, eventId: number, data: Record<string, unknown>): void;
  saveStatus(obj: QemuDomainObj): Promise<void>;
  log(message: string): void;
  /** libvirt's `doCoreDumpToAutoDumpPath` (memory only), inside the caller's job. */
  dumpToAutoDumpPath(obj: QemuDomainObj): Promise<string>;
  /** A watchdog's `dump` action: dump to the automatic dump folder, then resume, as a job. */
  watchdogDump(obj: QemuDomainObj): Promise<void>;
}

/**
 * QMP `SHUTDOWN`. A repeated one, or one after the domain ended, changes nothing. During a
 * fake reboot (or with `<on_poweroff>restart`) the shutdown is transient: no state change,
 * no event, and the following STOP is hidden too. Otherwise the domain goes to
 * SHUTDOWN/UNKNOWN with a SHUTDOWN event whose detail says who asked (QEMU's `guest`
 * field: GUEST, HOST, or FINISHED when QEMU does not say), and QEMU is told to end.
 *
 * @example
 * ```ts
 * import { handleShutdownEvent, type PowerHost } from "./power_events.ts";
 * import type { QemuDomainObj } from "./domain_private.ts";
 * declare const host: PowerHost, obj: QemuDomainObj;
 * handleShutdownEvent(host, obj, true); // a guest-initiated power-off
 * ```
 */
export function handleShutdownEvent(
  host: PowerHost,
  obj: QemuDomainObj,
  guest: boolean | undefined,
): void {
  if (obj.state === E.DOMAIN_SHUTDOWN || !isActive(obj)) return;
  obj.gotShutdown = true;
  const restart = obj.fakeReboot === true || poweroffRestarts(obj.def);
  if (restart) {
    obj.pausedShutdown = true;
    fakeReboot(host, obj);
    return;
  }
  obj.state = E.DOMAIN_SHUTDOWN;
  obj.reason = E.DOMAIN_SHUTDOWN_UNKNOWN;
  const detail = guest === undefined
    ? E.DOMAIN_EVENT_SHUTDOWN_FINISHED
    : guest
    ? E.DOMAIN_EVENT_SHUTDOWN_GUEST
    : E.DOMAIN_EVENT_SHUTDOWN_HOST;
  host.emit(obj, E.DOMAIN_EVENT_SHUTDOWN, detail);
  void host.saveStatus(obj).catch(() => {});
  // Not waited for: the monitor's EOF finishes the stop as STOPPED/SHUTDOWN.
  obj.proc?.kill("SIGTERM");
}

/**
 * QMP `GUEST_PANICKED` (libvirt's `qemuProcessHandleGuestPanic` and `processGuestPanicEvent`):
 * the domain goes to CRASHED/PANICKED with a CRASHED/PANICKED event, then `<on_crash>` decides:
 * `destroy` ends QEMU (SHUTOFF/CRASHED, STOPPED/CRASHED), `restart` fakes a reboot (reset and
 * resume: REBOOT, then RESUMED, running with reason CRASHED), `preserve` leaves it crashed.
 * `coredump-destroy` and `coredump-restart` first write the guest's memory to the automatic dump
 * folder, as libvirt does; when that fails the domain stays crashed.
 *
 * @example
 * ```ts
 * import { handleGuestPanicEvent, type PowerHost } from "./power_events.ts";
 * import type { QemuDomainObj } from "./domain_private.ts";
 * declare const host: PowerHost, obj: QemuDomainObj;
 * handleGuestPanicEvent(host, obj);
 * ```
 */
export function handleGuestPanicEvent(host: PowerHost, obj: QemuDomainObj): void {
  // libvirt hands the panic to a worker thread while its monitor thread goes on with the STOP
  // QEMU sends right behind GUEST_PANICKED: the domain shows SUSPENDED before CRASHED. A timer
  // turn lets the STOP already on its way be handled first here too.
  setTimeout(() => void obj.job.run(() => actOnPanic(host, obj)), 0);
}

async function actOnPanic(host: PowerHost, obj: QemuDomainObj): Promise<void> {
  if (!isActive(obj)) return;
  obj.state = E.DOMAIN_CRASHED;
  obj.reason = E.DOMAIN_CRASHED_PANICKED;
  host.emit(obj, E.DOMAIN_EVENT_CRASHED, E.DOMAIN_EVENT_CRASHED_PANICKED);
  await host.saveStatus(obj).catch(() => {});
  if (obj.def.onCrash?.startsWith("coredump-")) {
    try {
      await host.dumpToAutoDumpPath(obj);
    } catch {
      return;
    }
  }
  switch (obj.def.onCrash) {
    case "restart":
    case "coredump-restart":
      obj.fakeReboot = true;
      fakeReboot(host, obj);
      break;
    case "preserve":
      break;
    default:
      // destroy, coredump-destroy, and no <on_crash> (whose default is destroy).
      await host.stopProcess(obj, E.DOMAIN_SHUTOFF_CRASHED, E.DOMAIN_EVENT_STOPPED_CRASHED);
  }
}

/**
 * QMP `RESET`: a REBOOT event (except for the reset libvirt may do while starting up), and
 * any pending fake reboot is over.
 *
 * @example
 * ```ts
 * import { handleResetEvent, type PowerHost } from "./power_events.ts";
 * import type { QemuDomainObj } from "./domain_private.ts";
 * declare const host: PowerHost, obj: QemuDomainObj;
 * handleResetEvent(host, obj);
 * ```
 */
export function handleResetEvent(host: PowerHost, obj: QemuDomainObj): void {
  if (obj.state === E.DOMAIN_PAUSED && obj.reason === E.DOMAIN_PAUSED_STARTING_UP) return;
  host.emitOther(obj, E.DOMAIN_EVENT_ID_REBOOT, {});
  obj.fakeReboot = false;
  void host.saveStatus(obj).catch(() => {});
}

/**
 * The fake reboot, as a job of its own: `system_reset`, then `cont` (the running reason is
 * BOOTED, or CRASHED after a crash). Whatever fails kills QEMU, as libvirt does.
 */
function fakeReboot(host: PowerHost, obj: QemuDomainObj): void {
  const proc = obj.proc!;
  void obj.job.run(async () => {
    try {
      if (obj.proc !== proc) {
        throw VirError.report("QEMU", "INTERNAL_ERROR", "guest unexpectedly quit");
      }
      await proc.monitor.systemReset();
      obj.runningReason = obj.state === E.DOMAIN_CRASHED
        ? E.DOMAIN_RUNNING_CRASHED
        : E.DOMAIN_RUNNING_BOOTED;
      await proc.monitor.cont();
      obj.pausedShutdown = false;
      obj.fakeReboot = false;
      await host.saveStatus(obj);
    } catch (err) {
      host.log(`fake reboot of '${obj.def.name}' failed: ${err}`);
      obj.pausedShutdown = false;
      obj.fakeReboot = false;
      proc.kill("SIGKILL");
    }
  });
}
