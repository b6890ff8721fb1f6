/**
 * The watchdog on the command line as libvirt 9.0 writes it (`qemuBuildWatchdogCommandLine`):
 * its device (an i6300esb at its PCI address, or the ISA ib700), then `-watchdog-action`. QEMU
 * has no `dump` action: QEMU pauses, and the driver dumps the guest when the WATCHDOG event
 * comes, then resumes it.
 *
 * @module
 */
import { child, type XmlElement } from "../../../util/xml/mod.ts";
import { VirError } from "../../../util/errors.ts";
import { optValue } from "./escape.ts";
import { unsupportedDevice } from "./unsupported.ts";

/**
 * qemuValidateDomainWatchdogDef: where each model may sit, and the s390-only diag288.
 *
 * @example
 * ```ts
 * import { validateWatchdog } from "./watchdog_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * validateWatchdog(parse("<watchdog model='ib700'/>"), "x86_64"); // no error
 * ```
 */
export function validateWatchdog(dev: XmlElement, arch: string): void {
  const model = dev.attributes.model;
  const address = child(dev, "address")?.attributes.type;
  const refuse = (message: string) => {
    throw VirError.report("QEMU", "CONFIG_UNSUPPORTED", message);
  };
  if (model === "i6300esb" && address !== undefined && address !== "pci") {
    refuse(`${model} model of watchdog can go only on PCI bus`);
  } else if (model === "ib700" && address !== undefined) {
    refuse(`${model} model of watchdog does not support configuring the address`);
  } else if (model === "diag288") {
    if (address !== undefined) {
      refuse(`${model} model of watchdog is virtual and cannot go on any bus.`);
    }
    if (!arch.startsWith("s390")) {
      refuse(`${model} model of watchdog is allowed for s390 and s390x only`);
    }
  }
}

/**
 * The arguments of the `<watchdog>`, whose PCI placement (`,bus=…,addr=…`) is `at`.
 *
 * @example
 * ```ts
 * import { watchdogArgs } from "./watchdog_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * watchdogArgs(parse("<watchdog model='ib700' action='dump'><alias name='watchdog0'/></watchdog>"), "");
 * // ["-device", "ib700,id=watchdog0", "-watchdog-action", "pause"]
 * ```
 */
export function watchdogArgs(dev: XmlElement, at: string): string[] {
  const { model, action } = dev.attributes;
  const alias = child(dev, "alias")?.attributes.name;
  if (!alias || (model === "i6300esb" && !at) || (model !== "i6300esb" && model !== "ib700")) {
    throw unsupportedDevice(dev, model);
  }
  return [
    "-device",
    `${model},id=${optValue(alias)}${at}`,
    "-watchdog-action",
    action === "dump" ? "pause" : action ?? "reset",
  ];
}
