/**
 * Asking QEMU to unplug a device whose removal is being waited for, with libvirt's reading of
 * the answer (`qemuDomainDeleteDevice`).
 *
 * @module
 */
import { VirError } from "../../../util/errors.ts";
import type { HotplugContext } from "./types.ts";

/**
 * Sends `device_del` for `alias`, which must be marked in `ctx.removal` first. A failure is
 * forgiven when the device's DEVICE_DELETED (or its guest refusal) already came while the
 * command ran: the removal then continues as if QEMU had accepted. DeviceNotFound without such
 * an event fails, but libvirt's monitor reports no error of its own for it, so the caller sees
 * libvirt's generic "cause is unknown" error (VIR_ERR_INTERNAL_ERROR, VIR_FROM_NONE), as
 * `virDispatchError` turns a failure without an error into.
 *
 * @example
 * ```ts
 * import { deleteDevice } from "./delete_device.ts";
 * import type { HotplugContext } from "./types.ts";
 * declare const ctx: HotplugContext;
 * ctx.removal.mark("vcpu3");
 * await deleteDevice(ctx, "vcpu3");
 * ```
 */
export async function deleteDevice(ctx: HotplugContext, alias: string): Promise<void> {
  let found: boolean;
  try {
    found = await ctx.monitor.deviceDel(alias);
  } catch (err) {
    if (eventSeen(ctx)) return ctx.removal.reset();
    throw err;
  }
  if (found) return;
  if (eventSeen(ctx)) return ctx.removal.reset();
  throw unknownCause();
}

/**
 * What a caller of libvirt's public API gets when the driver failed without reporting an
 * error (`virDispatchError` → `virErrorGenericFailure`).
 *
 * @example
 * ```ts
 * import { unknownCause } from "./delete_device.ts";
 * const err = unknownCause(); // code 1, domain 0
 * ```
 */
export function unknownCause(): VirError {
  return VirError.bare("NONE", "INTERNAL_ERROR", "An error occurred, but the cause is unknown");
}

/** libvirt's `priv->unplug.eventSeen`: the marked alias was signalled, which clears it. */
function eventSeen(ctx: HotplugContext): boolean {
  return ctx.removal.alias === undefined;
}
