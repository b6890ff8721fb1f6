/**
 * A watchdog plugged into and out of a running domain, as libvirt 9.0's
 * `qemuDomainAttachWatchdog` and `qemuDomainDetachPrepWatchdog` do it: only the PCI i6300esb,
 * only when the domain has none; its action set over QMP (`set-action`, `dump` being QEMU's
 * `pause`), then the device at the start's PCI placement. The one to unplug must be named
 * exactly: model, action and address.
 *
 * @module
 */
import { child, element, type XmlElement } from "../../../util/xml/mod.ts";
import { VirError } from "../../../util/errors.ts";
import type { DomainDef } from "../../../conf/domain/def.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import { qemuPostParse } from "../postparse.ts";
import { pciProps } from "./device_disk.ts";
import { insertParsedDevice, sameAddress } from "./device_parse.ts";
import { ensureQ35Port } from "./device_pci.ts";

const watchdogOf = (def: DomainDef) => def.devices.other.find((d) => d.name === "watchdog");

/**
 * Plugs the watchdog `dev` into the running domain `obj`.
 *
 * @example
 * ```ts
 * import { attachWatchdogLive } from "./device_watchdog.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await attachWatchdogLive(obj, parse("<watchdog model='i6300esb' action='poweroff'/>"));
 * ```
 */
export async function attachWatchdogLive(obj: QemuDomainObj, dev: XmlElement): Promise<void> {
  if (watchdogOf(obj.def)) {
    throw VirError.report("QEMU", "OPERATION_INVALID", "domain already has a watchdog");
  }
  const model = dev.attributes.model;
  if (model !== "i6300esb") {
    throw VirError.report(
      "QEMU",
      "OPERATION_UNSUPPORTED",
      `hotplug of watchdog of model ${model} is not supported`,
    );
  }
  if (!child(dev, "alias")) {
    const at = dev.children.findIndex((c) => c.type === "element" && c.name === "address");
    const alias = element("alias", { name: "watchdog0" });
    if (at < 0) dev.children.push(alias);
    else dev.children.splice(at, 0, alias);
  }
  // Placed in a copy, as libvirt's qemuDomainEnsurePCIAddress would.
  const copy = structuredClone(obj.def);
  insertParsedDevice(copy, dev);
  qemuPostParse(copy, { live: true });
  ensureQ35Port(copy, dev);
  const address = child(dev, "address")!.attributes;
  const mon = obj.proc!.monitor;
  const action = dev.attributes.action ?? "reset";
  await mon.run("set-action", { watchdog: action === "dump" ? "pause" : action });
  await mon.run("device_add", {
    driver: model,
    id: child(dev, "alias")!.attributes.name,
    ...pciProps(copy, address),
  });
  insertParsedDevice(obj.def, dev);
}

/**
 * The running watchdog `dev` names, with libvirt's errors: none, another one, or one that
 * cannot leave.
 *
 * @example
 * ```ts
 * import { findWatchdogToUnplug } from "./device_watchdog.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * declare const def: import("../../../conf/domain/def.ts").DomainDef;
 * findWatchdogToUnplug(def, parse("<watchdog model='i6300esb' action='reset'/>"));
 * ```
 */
export function findWatchdogToUnplug(def: DomainDef, dev: XmlElement): XmlElement {
  const watchdog = watchdogOf(def);
  if (!watchdog) {
    throw VirError.report(
      "QEMU",
      "DEVICE_MISSING",
      "watchdog device not present in domain configuration",
    );
  }
  const a = watchdog.attributes;
  const same = a.model === dev.attributes.model &&
    a.action === (dev.attributes.action ?? "reset") &&
    sameAddress(child(dev, "address"), child(watchdog, "address"));
  if (!same) {
    throw VirError.report(
      "QEMU",
      "DEVICE_MISSING",
      `model '${a.model}' watchdog device not present in domain configuration`,
    );
  }
  if (a.model !== "i6300esb") {
    throw VirError.report(
      "QEMU",
      "OPERATION_UNSUPPORTED",
      `hot unplug of watchdog of model ${a.model} is not supported`,
    );
  }
  return watchdog;
}
