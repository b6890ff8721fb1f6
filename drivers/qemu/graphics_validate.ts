/**
 * The start of qemuValidateDomainDeviceDefGraphics: egl-headless renders for a VNC or SPICE
 * display only, and never beside SPICE's own OpenGL.
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

/** Throws libvirt's error when `graphics`, one of the guest's `all`, cannot go with them. */
export function validateGraphicsPairing(graphics: XmlElement, all: XmlElement[]): void {
  if (!all.some((g) => g.attributes.type === "egl-headless")) return;
  const type = graphics.attributes.type;
  if (type !== "egl-headless" && type !== "vnc" && type !== "spice") {
    throw unsupported(
      "graphics type 'egl-headless' is only supported with one of: 'vnc', 'spice' graphics types",
    );
  }
  if (type === "spice" && child(graphics, "gl")?.attributes.enable === "yes") {
    throw unsupported("multiple OpenGL displays are not supported by QEMU");
  }
}
