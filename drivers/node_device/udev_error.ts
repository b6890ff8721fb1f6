/**
 * The error of a device the udev backend cannot process: libvirt reports it and leaves the
 * device out of its list.
 *
 * @module
 */
import { VirError } from "../../util/errors.ts";

/**
 * A `VIR_ERR_INTERNAL_ERROR` of the node-device domain.
 *
 * @example
 * ```ts
 * import { udevError } from "./udev_error.ts";
 * udevError("Missing udev property 'X' on 'y'").code; // 1
 * ```
 */
export function udevError(message: string): VirError {
  return VirError.report("NODEDEV", "INTERNAL_ERROR", message);
}
