/**
 * VNC and SPICE passwords as libvirt 9.0 hands them to QEMU (`qemuDomainChangeGraphicsPasswords`):
 * QEMU starts with `-vnc …,password=on` (or `-spice` without `disable-ticketing`) and no password
 * (no client gets in), then `set_password`
 * gives it the XML's `passwd` and `expire_password` its lifetime: `now` for an empty password
 * or one whose `passwdValidTo` has passed, that time in seconds since the epoch, else `never`.
 * The same runs after a start (`qemuProcessInitPasswords`) and when `updateDeviceFlags`
 * changes a running domain's password. Without a `passwd` nothing is set: this driver has no
 * qemu.conf `vnc_password` (libvirt's default is none too).
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import type { QemuMonitor } from "./monitor/qemu_monitor.ts";

/**
 * What `expire_password` gets for a `<graphics>`'s password at `now` (ms since the epoch).
 *
 * @example
 * ```ts
 * import { passwordExpiry } from "./graphics_password.ts";
 * import { element } from "../../util/xml/mod.ts";
 * passwordExpiry(element("graphics", { passwd: "s3cret" }), Date.now()); // "never"
 * passwordExpiry(element("graphics", { passwd: "" }), Date.now()); // "now"
 * ```
 */
export function passwordExpiry(graphics: XmlElement, now: number): string {
  const { passwd, passwdValidTo } = graphics.attributes;
  // The parser wrote the expiry back as a UTC YYYY-MM-DDTHH:MM:SS.
  const validTo = passwdValidTo === undefined
    ? undefined
    : Math.floor(Date.parse(`${passwdValidTo}Z`) / 1000);
  if (passwd === "" || (validTo !== undefined && validTo <= Math.floor(now / 1000))) return "now";
  return validTo === undefined ? "never" : String(validTo);
}

/**
 * `qemuDomainChangeGraphicsPasswords` for a VNC or SPICE `<graphics>`: its password and, when
 * that worked, its expiry; nothing without a password. QEMU's refusal is the error.
 *
 * @example
 * ```ts
 * import { setGraphicsPassword } from "./graphics_password.ts";
 * import { element } from "../../util/xml/mod.ts";
 * import type { QemuMonitor } from "./monitor/qemu_monitor.ts";
 * declare const monitor: QemuMonitor;
 * await setGraphicsPassword(monitor, element("graphics", { type: "vnc", passwd: "s3cret" }));
 * ```
 */
export async function setGraphicsPassword(
  monitor: QemuMonitor,
  graphics: XmlElement,
  now = Date.now(),
): Promise<void> {
  const { passwd, connected, type: protocol } = graphics.attributes;
  if (passwd === undefined) return;
  await monitor.run("set_password", {
    protocol,
    password: passwd,
    connected: connected ?? "keep",
  });
  await monitor.run("expire_password", { protocol, time: passwordExpiry(graphics, now) });
}

/**
 * `qemuProcessInitPasswords`: every VNC and SPICE server of a started domain gets its password.
 *
 * @example
 * ```ts
 * import { initGraphicsPasswords } from "./graphics_password.ts";
 * import type { DomainDef } from "../../conf/domain/def.ts";
 * import type { QemuMonitor } from "./monitor/qemu_monitor.ts";
 * declare const def: DomainDef, monitor: QemuMonitor;
 * await initGraphicsPasswords(def, monitor);
 * ```
 */
export async function initGraphicsPasswords(def: DomainDef, monitor: QemuMonitor): Promise<void> {
  for (const g of def.devices.other) {
    const type = g.attributes.type;
    if (g.name === "graphics" && (type === "vnc" || type === "spice")) {
      await setGraphicsPassword(monitor, g);
    }
  }
}
