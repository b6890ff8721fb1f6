/**
 * `qemuDomainSetLifecycleAction` (`virsh set-lifecycle-action`): `<on_poweroff>`,
 * `<on_reboot>`, `<on_crash>` of the live and persistent definitions, a live reboot action
 * passed on to QEMU with `set-action`.
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { checkLifecycleAction, setLifecycleAction } from "../../../conf/domain/lifecycle.ts";
import { LIFECYCLE_ACTIONS } from "../../../conf/domain/names.ts";
import { getDefs } from "../../../conf/objects/domain_obj.ts";
import { VIR } from "../../../util/constants.ts";
import { checkFlags } from "../../../util/errors.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import type { QemuDriverState } from "../driver_state.ts";
import { validateLifecycleActions } from "../lifecycle_actions.ts";

/** `qemuDomainSetLifecycleActionValidate`: the actions as they would be, checked together. */
function validate(def: DomainDef, type: number, action: number): void {
  const next = { ...def };
  setLifecycleAction(next, type, action);
  validateLifecycleActions(next);
}

/**
 * Sets event `type`'s action to `action` where `flags` say; QEMU 7.2 has `set-action`, so a
 * live reboot action that changes reaches QEMU before the definition does (libvirt's
 * `qemuDomainModifyLifecycleActionLive`: power-off stays emulated by the driver).
 *
 * @example
 * ```ts
 * import { domainSetLifecycleAction } from "./lifecycle_set.ts";
 * import type { QemuDomainObj } from "../domain_private.ts";
 * import type { QemuDriverState } from "../driver_state.ts";
 * declare const state: QemuDriverState;
 * declare const obj: QemuDomainObj;
 * await domainSetLifecycleAction(state, obj, 1, 0, 0); // on_reboot destroy
 * ```
 */
export async function domainSetLifecycleAction(
  state: QemuDriverState,
  obj: QemuDomainObj,
  type: number,
  action: number,
  flags: number,
): Promise<void> {
  checkFlags(
    flags,
    VIR.DOMAIN_AFFECT_LIVE | VIR.DOMAIN_AFFECT_CONFIG,
    "qemuDomainSetLifecycleAction",
    "QEMU",
  );
  checkLifecycleAction(type, action);
  await obj.job.run(async () => {
    const { live, config } = getDefs(obj, flags);
    for (const def of [live, config]) if (def) validate(def, type, action);
    if (live) {
      const reboot = type === VIR.DOMAIN_LIFECYCLE_REBOOT &&
        (live.onReboot ?? "restart") !== LIFECYCLE_ACTIONS[action];
      if (reboot && action === VIR.DOMAIN_LIFECYCLE_ACTION_DESTROY) {
        await obj.proc!.monitor.setAction({ reboot: "shutdown" });
      } else if (reboot && action === VIR.DOMAIN_LIFECYCLE_ACTION_RESTART) {
        await obj.proc!.monitor.setAction({ reboot: "reset" });
      }
      setLifecycleAction(live, type, action);
      await state.saveStatus(obj);
    }
    if (config) {
      setLifecycleAction(config, type, action);
      await state.saveConfig(obj);
    }
  });
}
