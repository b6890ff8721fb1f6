/**
 * The two refusals every live tuning call of libvirt's QEMU driver starts with: session mode
 * has no cgroups ("… tuning is not available in session mode"), and a system domain's
 * controller may not be mounted.
 *
 * @module
 */
import type { Cgroup, CgroupController } from "../../../util/cgroup/mod.ts";
import { VirError } from "../../../util/errors.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";

/**
 * Refuses in session mode with `<what> tuning is not available in session mode`, as the call
 * libvirt words it (`code` differs between calls).
 *
 * @example
 * ```ts
 * import { requirePrivileged } from "./tuning_checks.ts";
 * import type { QemuDriverState } from "../driver_state.ts";
 * declare const state: QemuDriverState;
 * requirePrivileged(state, "NUMA", "OPERATION_UNSUPPORTED");
 * ```
 */
export function requirePrivileged(
  state: QemuDriverState,
  what: string,
  code: "CONFIG_UNSUPPORTED" | "OPERATION_UNSUPPORTED",
): void {
  if (!state.privileged) {
    throw VirError.report("QEMU", code, `${what} tuning is not available in session mode`);
  }
}

/**
 * The domain's cgroup when it has `controller`, else OPERATION_INVALID with `message`.
 *
 * @example
 * ```ts
 * import { requireController } from "./tuning_checks.ts";
 * import type { QemuDomainObj } from "../domain_private.ts";
 * declare const obj: QemuDomainObj;
 * requireController(obj, "cpuset", "cgroup cpuset controller is not mounted");
 * ```
 */
export function requireController(
  obj: QemuDomainObj,
  controller: CgroupController,
  message: string,
): Cgroup {
  if (!obj.cgroup?.has(controller)) throw VirError.report("QEMU", "OPERATION_INVALID", message);
  return obj.cgroup;
}
