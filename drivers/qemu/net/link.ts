/**
 * A NIC's link state as the guest sees it (QMP `set_link`): libvirt's `qemuMonitorSetLink`,
 * used at start for every NIC whose XML says `<link state='down'/>`
 * (`qemuProcessSetLinkStates`), after a hotplug, and by update-device.
 *
 * @module
 */
import type { DomainDef, DomainInterface } from "../../../conf/domain/def.ts";
import type { QemuMonitor } from "../monitor/qemu_monitor.ts";

/**
 * The link state an `<interface>` asks for (`up` without a `<link>`).
 *
 * @example
 * ```ts
 * import { linkStateOf } from "./link.ts";
 * linkStateOf({ type: "user", extra: [] }); // "up"
 * ```
 */
export function linkStateOf(net: DomainInterface): string {
  return net.extra.find((e) => e.name === "link")?.attributes.state ?? "up";
}

/** The alias QEMU knows a NIC's device by. */
export function nicAlias(net: DomainInterface): string | undefined {
  return net.extra.find((e) => e.name === "alias")?.attributes.name;
}

/**
 * `set_link` of the NIC device `alias`.
 *
 * @example
 * ```ts
 * import { setLink } from "./link.ts";
 * import type { QemuMonitor } from "../monitor/qemu_monitor.ts";
 * declare const monitor: QemuMonitor;
 * await setLink(monitor, "net0", false);
 * ```
 */
export async function setLink(monitor: QemuMonitor, alias: string, up: boolean): Promise<void> {
  await monitor.run("set_link", { name: alias, up });
}

/**
 * `qemuProcessSetLinkStates`: every NIC whose link is down is set down before the guest runs.
 *
 * @example
 * ```ts
 * import { setLinkStates } from "./link.ts";
 * import type { DomainDef } from "../../../conf/domain/def.ts";
 * import type { QemuMonitor } from "../monitor/qemu_monitor.ts";
 * declare const def: DomainDef, monitor: QemuMonitor;
 * await setLinkStates(def, monitor);
 * ```
 */
export async function setLinkStates(def: DomainDef, monitor: QemuMonitor): Promise<void> {
  for (const net of def.devices.interfaces) {
    const alias = nicAlias(net);
    if (linkStateOf(net) === "down" && alias) await setLink(monitor, alias, false);
  }
}
