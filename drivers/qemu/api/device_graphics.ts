/**
 * `virDomainUpdateDeviceFlags` of a `<graphics>` (libvirt 9.0's `qemuDomainUpdateDeviceConfig`
 * and `qemuDomainChangeGraphics`): the persistent definition's graphics of that type is
 * replaced; a running VNC or SPICE server keeps where it listens, its ports and its keymap (changing any
 * is refused with libvirt's words) and gets a new password or expiry over QMP
 * (`graphics_password.ts`) when either changed or an expiry is involved.
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { VirError } from "../../../util/errors.ts";
import { children, type XmlElement } from "../../../util/xml/mod.ts";
import type { QemuDomainObj } from "../domain_private.ts";
import { setGraphicsPassword } from "../graphics_password.ts";

/** `qemuDomainFindGraphicsIndex`: the first graphics of the same type. */
function graphicsIndex(def: DomainDef, dev: XmlElement): number {
  return def.devices.other.findIndex((g) =>
    g.name === "graphics" && g.attributes.type === dev.attributes.type
  );
}

/**
 * The persistent update: the graphics of `dev`'s type gives way to `dev`.
 *
 * @example
 * ```ts
 * import { updateGraphicsConfig } from "./device_graphics.ts";
 * import { element } from "../../../util/xml/mod.ts";
 * declare const vmdef: import("../../../conf/domain/def.ts").DomainDef;
 * updateGraphicsConfig(vmdef, element("graphics", { type: "vnc", passwd: "new" }));
 * ```
 */
export function updateGraphicsConfig(vmdef: DomainDef, dev: XmlElement): void {
  const pos = graphicsIndex(vmdef, dev);
  if (pos < 0) {
    throw VirError.report(
      "QEMU",
      "INVALID_ARG",
      `cannot find existing graphics type '${dev.attributes.type}' device to modify`,
    );
  }
  vmdef.devices.other.splice(pos, 1, dev);
}

/** A refusal of `qemuDomainChangeGraphics`. */
const cannot = (what: string) => VirError.report("QEMU", "OPERATION_UNSUPPORTED", what);

/** `qemuDomainChangeGraphics`' listen checks: same number, types and places. */
function checkListens(old: XmlElement, dev: XmlElement, type: string): void {
  const olds = children(old, "listen");
  const news = children(dev, "listen");
  if (olds.length !== news.length) {
    throw cannot(`cannot change the number of listen addresses on '${type}' graphics`);
  }
  news.forEach((l, i) => {
    const o = olds[i].attributes;
    const n = l.attributes;
    if (n.type !== o.type) {
      throw cannot(`cannot change the type of listen address on '${type}' graphics`);
    }
    if (n.type === "address" && n.address !== o.address) {
      throw cannot(`cannot change listen address setting on '${type}' graphics`);
    }
    if (n.type === "network" && n.network !== o.network) {
      throw cannot(`cannot change listen address setting on '${type}' graphics`);
    }
    if (n.type === "socket" && n.socket !== o.socket) {
      throw cannot(`cannot change listen socket setting on '${type}' graphics`);
    }
  });
}

/** The password attributes libvirt moves from the new device to the running one. */
const AUTH = ["passwd", "passwdValidTo", "connected"] as const;

/**
 * The live update of the running domain `obj`'s graphics of `dev`'s type.
 *
 * @example
 * ```ts
 * import { changeGraphicsLive } from "./device_graphics.ts";
 * import { element } from "../../../util/xml/mod.ts";
 * declare const obj: import("../domain_private.ts").QemuDomainObj;
 * await changeGraphicsLive(obj, element("graphics", { type: "vnc", passwd: "new" }));
 * ```
 */
export async function changeGraphicsLive(obj: QemuDomainObj, dev: XmlElement): Promise<void> {
  const type = dev.attributes.type ?? "";
  const old = obj.def.devices.other[graphicsIndex(obj.def, dev)];
  if (!old) {
    throw VirError.report(
      "QEMU",
      "DEVICE_MISSING",
      `cannot find existing graphics device to modify of type '${type}'`,
    );
  }
  checkListens(old, dev, type);
  // The driver runs VNC and SPICE servers only: no other type is in a running definition.
  const o = old.attributes;
  const n = dev.attributes;
  const fixed = n.autoport !== "yes" && (o.port !== n.port || o.tlsPort !== n.tlsPort);
  if (o.autoport !== n.autoport || fixed) {
    throw cannot(`cannot change port settings on ${type} graphics`);
  }
  if (o.keymap !== n.keymap) throw cannot(`cannot change keymap setting on ${type} graphics`);
  // A lifetime before or after, or another action or password: QEMU is told, even of the same
  // password.
  const changed = o.passwdValidTo !== undefined || n.passwdValidTo !== undefined ||
    o.connected !== n.connected || o.passwd !== n.passwd;
  if (!changed) return;
  await setGraphicsPassword(obj.proc!.monitor, dev);
  // virDomainGraphicsAuthDefFormatAttr writes them last, in this order.
  const attributes = { ...o };
  for (const k of AUTH) delete attributes[k];
  for (const k of AUTH) if (n[k] !== undefined) attributes[k] = n[k];
  old.attributes = attributes;
}
