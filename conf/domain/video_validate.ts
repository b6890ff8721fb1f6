/**
 * libvirt 9.0's virDomainVideoDefValidate (each `<video>`) and virDomainDefVideoValidate (one
 * primary card): a `none` card alone, a vhost-user backend for virtio only, a render node only
 * with it, a resolution above zero, QXL's own sizes, no address for ramfb, virtio options for
 * virtio only.
 *
 * @example
 * ```ts
 * import { validateVideo } from "./video_validate.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * validateVideo(parse("<video><model type='vga' ram='1024'/></video>"), 1);
 * // throws "unsupported configuration: ram attribute only supported for video type qxl"
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import { child, type XmlElement } from "../../util/xml/mod.ts";
import type { DomainDef } from "./def.ts";
import { checkVirtioOptionsAbsent } from "./virtio_options.ts";

const unsupported = (message: string) => VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", message);

/** The QXL-only sizes, in libvirt's order. */
const QXL_SIZES = ["ram", "vram64", "vgamem"];

/**
 * Throws libvirt's error for a video card `video` of a domain with `count` of them.
 *
 * @example
 * ```ts
 * import { validateVideo } from "./video_validate.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * validateVideo(parse("<video><model type='none'/></video>"), 2);
 * // throws "a 'none' video type must be the only video device defined for the domain"
 * ```
 */
export function validateVideo(video: XmlElement, count: number): void {
  const model = child(video, "model");
  const type = model?.attributes.type;
  if (type === "none" && count > 1) {
    throw unsupported("a 'none' video type must be the only video device defined for the domain");
  }
  if (child(video, "driver")?.attributes.name === "vhostuser") {
    if (type !== "virtio") {
      throw unsupported("'vhostuser' driver is only supported with 'virtio' device");
    }
  } else if (child(model, "acceleration")?.attributes.rendernode !== undefined) {
    throw unsupported("unsupported rendernode accel attribute without 'vhostuser'");
  }
  const res = child(model, "resolution")?.attributes;
  if (res && (!Number(res.x ?? 0) || !Number(res.y ?? 0))) {
    throw unsupported("video resolution values must be greater than 0");
  }
  if (type !== "qxl") {
    for (const size of QXL_SIZES) {
      if (Number(model?.attributes[size] ?? 0)) {
        throw unsupported(`${size} attribute only supported for video type qxl`);
      }
    }
  }
  if (type === "ramfb" && child(video, "address")) {
    throw unsupported("address not supported for video type ramfb");
  }
  if (type !== "virtio") checkVirtioOptionsAbsent(child(video, "driver"));
}

/**
 * virDomainDefVideoValidate: the parser put a card marked primary first; another one may not be.
 *
 * @example
 * ```ts
 * import { validatePrimaryVideo } from "./video_validate.ts";
 * import type { DomainDef } from "./def.ts";
 * declare const def: DomainDef;
 * validatePrimaryVideo(def); // throws "Only one primary video device is supported"
 * ```
 */
export function validatePrimaryVideo(def: DomainDef): void {
  const primaries = def.devices.other.filter((d) =>
    d.name === "video" && child(d, "model")?.attributes.primary === "yes"
  );
  if (primaries.length > 1) throw unsupported("Only one primary video device is supported");
}
