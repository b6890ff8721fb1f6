/**
 * The shutdown, reboot and reset APIs of the QEMU driver (libvirt's `qemuDomainShutdownFlags`,
 * `qemuDomainReboot`, `qemuDomainReset`). edgevirt connects no guest agent, so the agent
 * method always fails, and a caller that allowed ACPI as well gets the ACPI power button.
 *
 * @module
 */
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import { checkActive } from "../../conf/objects/domain_obj.ts";
import type { QemuDomainObj } from "./domain_private.ts";
import { poweroffRestarts, resetShutsDown } from "./lifecycle_actions.ts";
import { child } from "../../util/xml/mod.ts";

const E = VIR;
const ACPI = E.DOMAIN_SHUTDOWN_ACPI_POWER_BTN;
const AGENT = E.DOMAIN_SHUTDOWN_GUEST_AGENT;

/**
 * libvirt's `qemuDomainAgentAvailable` when no agent is connected.
 *
 * @example
 * ```ts
 * import { agentUnavailable } from "./power_ops.ts";
 * import type { QemuDomainObj } from "./domain_private.ts";
 * declare const obj: QemuDomainObj;
 * agentUnavailable(obj).message; // "argument unsupported: QEMU guest agent is not configured"
 * ```
 */
export function agentUnavailable(obj: QemuDomainObj): VirError {
  if (obj.state !== E.DOMAIN_RUNNING) {
    return VirError.report("QEMU", "OPERATION_INVALID", "domain is not running");
  }
  const configured = obj.def.devices.other.some((d) =>
    d.name === "channel" && child(d, "target")?.attributes.name === "org.qemu.guest_agent.0"
  );
  return configured
    ? VirError.report("QEMU", "AGENT_UNRESPONSIVE", "QEMU guest agent is not connected")
    : VirError.report("QEMU", "ARGUMENT_UNSUPPORTED", "QEMU guest agent is not configured");
}

/**
 * Presses the ACPI power button for a shutdown (`reboot` false) or a reboot. A reboot becomes
 * a plain shutdown when `<on_reboot>destroy`, a shutdown becomes a reboot when
 * `<on_poweroff>restart`: the guest's power-off is then followed by a fake reboot. Flags (the
 * same bits for both APIs): ACPI_POWER_BTN, GUEST_AGENT; GUEST_AGENT alone fails without an
 * agent, with ACPI as well it falls back to the button.
 *
 * @example
 * ```ts
 * import { powerButton } from "./power_ops.ts";
 * import type { QemuDomainObj } from "./domain_private.ts";
 * declare const obj: QemuDomainObj;
 * await powerButton(obj, 0, true); // virDomainReboot(dom, 0)
 * ```
 */
export async function powerButton(
  obj: QemuDomainObj,
  flags: number,
  reboot: boolean,
): Promise<void> {
  const def = obj.def;
  const isReboot = reboot ? !resetShutsDown(def) : poweroffRestarts(def);
  if ((flags & AGENT) && !(flags & ACPI)) throw agentUnavailable(obj);
  await obj.job.run(async () => {
    // A shutdown needs a running guest; a reboot of a paused one is pressed all the same.
    if (reboot) checkActive(obj);
    else if (obj.state !== E.DOMAIN_RUNNING) {
      throw VirError.report("QEMU", "OPERATION_INVALID", "domain is not running");
    }
    obj.fakeReboot = isReboot;
    await obj.proc!.monitor.systemPowerdown();
  });
}

/**
 * `system_reset`: the guest restarts at once, no fake reboot stays pending, and a crashed
 * domain is left paused (PAUSED/CRASHED).
 *
 * @example
 * ```ts
 * import { resetDomain } from "./power_ops.ts";
 * import type { QemuDomainObj } from "./domain_private.ts";
 * declare const obj: QemuDomainObj;
 * await resetDomain(obj);
 * ```
 */
export async function resetDomain(obj: QemuDomainObj): Promise<void> {
  await obj.job.run(async () => {
    checkActive(obj);
    await obj.proc!.monitor.systemReset();
    obj.fakeReboot = false;
    if (obj.state === E.DOMAIN_CRASHED) {
      obj.state = E.DOMAIN_PAUSED;
      obj.reason = E.DOMAIN_PAUSED_CRASHED;
    }
  });
}
