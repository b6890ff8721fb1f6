/**
 * The shutdown, reboot and reset APIs of the QEMU driver (libvirt's `qemuDomainShutdownFlags`,
 * `qemuDomainReboot`, `qemuDomainReset`): through the guest agent when asked for (or by
 * default when one is connected), else, or when the agent fails and ACPI is allowed too, the
 * ACPI power button.
 *
 * @module
 */
import { VIR } from "../../util/constants.ts";
import { VirError } from "../../util/errors.ts";
import { checkActive, isActive } from "../../conf/objects/domain_obj.ts";
import { availableAgent } from "./agent/agent_channel.ts";
import { AGENT_SHUTDOWN_SECONDS } from "./agent/qemu_agent.ts";
import type { QemuDomainObj } from "./domain_private.ts";
import { poweroffRestarts, resetShutsDown } from "./lifecycle_actions.ts";

const E = VIR;
const ACPI = E.DOMAIN_SHUTDOWN_ACPI_POWER_BTN;
const AGENT = E.DOMAIN_SHUTDOWN_GUEST_AGENT;

/**
 * `qemuDomainShutdownFlagsAgent` / `qemuDomainRebootAgent`: `guest-shutdown` in the agent job,
 * answered by QEMU's SHUTDOWN (or RESET for a reboot) rather than by a reply.
 */
function agentShutdown(
  obj: QemuDomainObj,
  isReboot: boolean,
  rebootApi: boolean,
): Promise<void> {
  return obj.agentJob.run(async () => {
    if (!rebootApi && obj.state !== E.DOMAIN_RUNNING) {
      throw VirError.report("QEMU", "OPERATION_INVALID", "domain is not running");
    }
    // Unforced, the error is only the caller's cue (libvirt's reportError false).
    const agent = availableAgent(obj);
    checkActive(obj);
    obj.fakeReboot = false;
    await agent.command(
      { execute: "guest-shutdown", arguments: { mode: isReboot ? "reboot" : "powerdown" } },
      AGENT_SHUTDOWN_SECONDS,
      { awaitEvent: isReboot ? "reset" : "shutdown" },
    );
  });
}

/**
 * Presses the ACPI power button for a shutdown (`reboot` false) or a reboot. A reboot becomes
 * a plain shutdown when `<on_reboot>destroy`, a shutdown becomes a reboot when
 * `<on_poweroff>restart`: the guest's power-off is then followed by a fake reboot. Flags (the
 * same bits for both APIs): ACPI_POWER_BTN, GUEST_AGENT; GUEST_AGENT alone fails without an
 * agent, with ACPI as well (or with no flag) it falls back to the button.
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
  // The agent is preferred when asked for, or by default when it is there.
  const useAgent = (flags & AGENT) !== 0 || (!flags && obj.agent !== undefined);
  if (useAgent) {
    const forced = (flags & AGENT) !== 0 && !(flags & ACPI);
    const done = await agentShutdown(obj, isReboot, reboot).then(
      () => true,
      (err) => {
        if (forced) throw err;
        return false;
      },
    );
    // The guest may have gone away by itself meanwhile: nothing left to press.
    if (done || (!reboot && !isActive(obj))) return;
  }
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
