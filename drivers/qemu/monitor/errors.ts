/**
 * Monitor failures and how libvirt reports them. The QMP client throws these plain errors; the
 * driver turns them into libvirt's `VirError`s with {@link monitorErrorToVir}.
 *
 * @module
 */
import { VirError } from "../../../util/errors.ts";

/** QEMU answered a command with `{"error": {"class", "desc"}}`. */
export class QmpCommandError extends Error {
  /** The QMP error class, e.g. `GenericError`, `DeviceNotFound`. */
  readonly errorClass: string;
  /** QEMU's human-readable description. */
  readonly desc: string;
  /** The command that failed. */
  readonly command: string;

  constructor(command: string, errorClass: string, desc: string) {
    super(`unable to execute QEMU command '${command}': ${desc}`);
    this.name = "QmpCommandError";
    this.command = command;
    this.errorClass = errorClass;
    this.desc = desc;
  }
}

/** The monitor connection ended (QEMU exited, crashed, or the socket was closed). */
export class QmpClosedError extends Error {
  constructor(message = "End of file from qemu monitor") {
    super(message);
    this.name = "QmpClosedError";
  }
}

/** No reply arrived within the per-command timeout. */
export class QmpTimeoutError extends Error {
  /** The command that timed out. */
  readonly command: string;

  constructor(command: string, ms: number) {
    super(`QEMU command '${command}' timed out after ${ms} ms`);
    this.name = "QmpTimeoutError";
    this.command = command;
  }
}

/**
 * The `VirError` libvirt's QEMU driver reports for a monitor failure: a QMP error becomes
 * VIR_ERR_INTERNAL_ERROR "unable to execute QEMU command …", EOF VIR_ERR_OPERATION_FAILED, a
 * timeout VIR_ERR_OPERATION_TIMEOUT. Anything else is returned unchanged.
 *
 * @example
 * ```ts
 * import { monitorErrorToVir, QmpCommandError } from "./errors.ts";
 * const e = monitorErrorToVir(new QmpCommandError("device_del", "GenericError", "nope"));
 * ```
 */
export function monitorErrorToVir(err: unknown): unknown {
  if (err instanceof QmpCommandError) return VirError.report("QEMU", "INTERNAL_ERROR", err.message);
  if (err instanceof QmpClosedError) {
    return VirError.report("QEMU", "OPERATION_FAILED", err.message);
  }
  if (err instanceof QmpTimeoutError) {
    return VirError.report("QEMU", "OPERATION_TIMEOUT", err.message);
  }
  return err;
}
