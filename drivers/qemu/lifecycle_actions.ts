/**
 * The `<on_poweroff>` / `<on_reboot>` actions the QEMU driver can carry out
 * (`qemuValidateLifecycleAction`) and what they ask of QEMU at start.
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { VirError } from "../../util/errors.ts";

/**
 * Refuses the actions libvirt 9.0's QEMU driver cannot honour: `preserve` on power-off or
 * reboot, `rename-restart` anywhere, and a reboot that destroys while a power-off restarts
 * (QEMU's reboot action would then turn every reset into a shutdown that restarts). The
 * messages are libvirt's, typos included.
 *
 * @example
 * ```ts
 * import { validateLifecycleActions } from "./lifecycle_actions.ts";
 * import type { DomainDef } from "../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * validateLifecycleActions(def); // throws CONFIG_UNSUPPORTED for <on_reboot>preserve</on_reboot>
 * ```
 */
export function validateLifecycleActions(def: DomainDef): void {
  const unsupported = (message: string) => VirError.report("QEMU", "CONFIG_UNSUPPORTED", message);
  if (def.onPoweroff === "preserve" || def.onReboot === "preserve") {
    throw unsupported(
      "qemu driver doesn't support the 'preserve' action for 'on_reboot'/'on_poweroff'",
    );
  }
  if ([def.onPoweroff, def.onReboot, def.onCrash].includes("rename-restart")) {
    throw unsupported(
      "qemu driver doesn't support the 'rename-restart' action for " +
        "'on_reboot'/'on_poweroff'/'on_crash'",
    );
  }
  if (def.onReboot === "destroy" && def.onPoweroff === "restart") {
    throw unsupported(
      "qemu driver doesn't support 'onReboot' set to 'destroy and 'onPoweroff' set to 'reboot'",
    );
  }
}

/**
 * True when a guest reset must end the domain: QEMU then gets `set-action reboot=shutdown`
 * right after start, so the reset arrives as a SHUTDOWN (libvirt's
 * `qemuProcessSetupLifecycleActions`; the command line always says `-no-shutdown`).
 *
 * @example
 * ```ts
 * import { resetShutsDown } from "./lifecycle_actions.ts";
 * import type { DomainDef } from "../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * if (resetShutsDown(def)) console.log("set-action reboot=shutdown");
 * ```
 */
export function resetShutsDown(def: DomainDef): boolean {
  return def.onReboot === "destroy";
}

/**
 * True when a guest power-off restarts the domain instead (`<on_poweroff>restart`): libvirt
 * then fakes a reboot and keeps the SHUTDOWN out of the domain's state and events.
 *
 * @example
 * ```ts
 * import { poweroffRestarts } from "./lifecycle_actions.ts";
 * import type { DomainDef } from "../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * poweroffRestarts(def);
 * ```
 */
export function poweroffRestarts(def: DomainDef): boolean {
  return def.onPoweroff === "restart";
}
