/**
 * The refusals every cgroup tuning call of libvirt's QEMU driver starts with: the session
 * driver has no cgroups at all ("… tuning is not available in session mode"), and a system
 * domain whose host lacks the controller the call needs ("… is not mounted"); and the
 * prologue the tuning getters share.
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { getDefs } from "../../../conf/objects/domain_obj.ts";
import type { Cgroup, CgroupController } from "../../../util/cgroup/mod.ts";
import { VIR } from "../../../util/constants.ts";
import { checkFlags, VirError } from "../../../util/errors.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";

/**
 * Refuses `what` tuning (libvirt's "CPU", "Memory", "Block I/O") on the session driver, with
 * the code each libvirt call uses.
 *
 * @example
 * ```ts ignore
 * requirePrivileged(state, "CONFIG_UNSUPPORTED", "CPU");
 * ```
 */
export function requirePrivileged(
  state: QemuDriverState,
  code: "CONFIG_UNSUPPORTED" | "OPERATION_UNSUPPORTED",
  what: string,
): void {
  if (!state.privileged) {
    throw VirError.report("QEMU", code, `${what} tuning is not available in session mode`);
  }
}

/**
 * The domain's cgroup when it has `controller`, else libvirt's refusal `notMounted`.
 *
 * @example
 * ```ts ignore
 * const cgroup = cgroupWith(obj, "cpu", "cgroup CPU controller is not mounted");
 * ```
 */
export function cgroupWith(
  obj: QemuDomainObj,
  controller: CgroupController,
  notMounted: string,
): Cgroup {
  if (!obj.cgroup?.has(controller)) throw VirError.report("QEMU", "OPERATION_INVALID", notMounted);
  return obj.cgroup;
}

/**
 * The prologue of libvirt's tuning getters (`qemuDomainGet{Scheduler,Memory,Blkio}Parameters`):
 * their flags, the session refusal, then the definitions the flags select.
 *
 * @example
 * ```ts ignore
 * const { live, config } = tuningGetterDefs(state, obj, flags, "qemuDomainGetBlkioParameters", "CONFIG_UNSUPPORTED", "Block I/O");
 * ```
 */
export function tuningGetterDefs(
  state: QemuDriverState,
  obj: QemuDomainObj,
  flags: number,
  fn: string,
  code: "CONFIG_UNSUPPORTED" | "OPERATION_UNSUPPORTED",
  what: string,
): { live?: DomainDef; config?: DomainDef } {
  checkFlags(
    flags,
    VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_AFFECT_CONFIG | VIR.TYPED_PARAM_STRING_OKAY,
    fn,
    "QEMU",
  );
  requirePrivileged(state, code, what);
  return getDefs(obj, flags);
}
