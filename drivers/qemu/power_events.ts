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
import { type DomainObj, isActive } from "./domain_obj.ts";
import { poweroffRestarts } from "./lifecycle_actions.ts";

const E = VIR;

/** The parts of the driver state the handlers use. */
export interface PowerHost {
  emit(obj: DomainObj, event: number, detail: number): void;
  emitOther(obj: DomainObj, eventId: number, data: Record<string, unknown>): void;
  saveStatus(obj: DomainObj): Promise<void>;
  log(message: string): void;
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
 * import type { DomainObj } from "./domain_obj.ts";
 * declare const host: PowerHost, obj: DomainObj;
 * handleShutdownEvent(host, obj, true); // a guest-initiated power-off
 * ```
 */
export function handleShutdownEvent(
  host: PowerHost,
  obj: DomainObj,
  guest: boolean | undefined,
): void {
  if (obj.state === E.DOMAIN_SHUTDOWN || !isActive(obj)) return;
  obj.gotShutdown = true;
  const restart = obj.fakeReboot === true || poweroffRestarts(obj.liveDef!);
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
 * QMP `RESET`: a REBOOT event (except for the reset libvirt may do while starting up), and
 * any pending fake reboot is over.
 *
 * @example
 * ```ts
 * import { handleResetEvent, type PowerHost } from "./power_events.ts";
 * import type { DomainObj } from "./domain_obj.ts";
 * declare const host: PowerHost, obj: DomainObj;
 * handleResetEvent(host, obj);
 * ```
 */
export function handleResetEvent(host: PowerHost, obj: DomainObj): void {
  if (obj.state === E.DOMAIN_PAUSED && obj.reason === E.DOMAIN_PAUSED_STARTING_UP) return;
  host.emitOther(obj, E.DOMAIN_EVENT_ID_REBOOT, {});
  obj.fakeReboot = false;
  void host.saveStatus(obj).catch(() => {});
}

/**
 * The fake reboot, as a job of its own: `system_reset`, then `cont` (the running reason is
 * BOOTED, or CRASHED after a crash). Whatever fails kills QEMU, as libvirt does.
 */
function fakeReboot(host: PowerHost, obj: DomainObj): void {
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
      host.log(`fake reboot of '${obj.name}' failed: ${err}`);
      obj.pausedShutdown = false;
      obj.fakeReboot = false;
      proc.kill("SIGKILL");
    }
  });
}
