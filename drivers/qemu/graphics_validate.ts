/**
 * The start of qemuValidateDomainDeviceDefGraphics: the display types QEMU has; egl-headless
 * renders for a VNC or SPICE display only, and never beside SPICE's own OpenGL.
 *
 * @example
 * ```ts
 * import { validateGraphicsPairing } from "./graphics_validate.ts";
 * import { element } from "../../util/xml/mod.ts";
 * const vnc = element("graphics", { type: "vnc" });
 * validateGraphicsPairing(vnc, [vnc, element("graphics", { type: "egl-headless" })]); // no error
 * ```
 * @module
 */
import { child, type XmlElement } from "../../util/xml/mod.ts";
import { unsupported } from "./command/unsupported.ts";

const QEMU_GRAPHICS = ["sdl", "vnc", "spice", "egl-headless", "dbus"];

/** Throws libvirt's error when `graphics`, one of the guest's `all`, cannot go with them. */
export function validateGraphicsPairing(graphics: XmlElement, all: XmlElement[]): void {
  const type = graphics.attributes.type;
  // The display types QEMU 7.2 has (its domain capabilities).
  if (!QEMU_GRAPHICS.includes(type ?? "")) {
    throw unsupported(`${type} graphics are not supported with this QEMU`);
  }
  if (!all.some((g) => g.attributes.type === "egl-headless")) return;
  if (type !== "egl-headless" && type !== "vnc" && type !== "spice") {
    throw unsupported(
      "graphics type 'egl-headless' is only supported with one of: 'vnc', 'spice' graphics types",
    );
  }
  if (type === "spice" && child(graphics, "gl")?.attributes.enable === "yes") {
    throw unsupported("multiple OpenGL displays are not supported by QEMU");
  }
}
