/**
 * libvirt 9.0's virDomainInputDefValidate: the buses an input may use for the guest's OS type
 * (and virtualization type), the bus a passthrough or evdev input needs, and the virtio bus of a
 * virtio model. An input is checked as the parser left it: its bus defaulted, none for evdev.
 *
 * @example
 * ```ts
 * import { validateInput } from "./input_validate.ts";
 * import { parse } from "../../util/xml/mod.ts";
 * validateInput(parse("<input type='tablet' bus='usb'/>"), "hvm", "test"); // passes
 * validateInput(parse("<input type='tablet' bus='ps2'/>"), "hvm", "test"); // throws
 * ```
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { XmlElement } from "../../util/xml/mod.ts";
import { VIRTIO_MODELS } from "./virtio_options.ts";

const internal = (msg: string) => VirError.report("DOMAIN", "INTERNAL_ERROR", msg);
const unsupported = (msg: string) => VirError.report("DOMAIN", "CONFIG_UNSUPPORTED", msg);

/** The input types every bus of a paravirtual family takes. */
const MOUSE_OR_KEYBOARD = ["mouse", "keyboard"];

/** The first check `input` fails in a guest of OS type `osType` and virt type `virtType`. */
export function validateInput(input: XmlElement, osType: string, virtType: string): void {
  const type = input.attributes.type ?? "";
  const bus = input.attributes.bus ?? "none";
  if (osType === "hvm") {
    if (bus === "ps2" && !MOUSE_OR_KEYBOARD.includes(type)) {
      throw internal(`ps2 bus does not support ${type} input device`);
    }
    if (bus === "xen") throw internal(`unsupported input bus ${bus}`);
  } else if (osType === "xen" || osType === "xenpvh") {
    if (bus !== "xen") throw internal(`unsupported input bus ${bus}`);
    if (!MOUSE_OR_KEYBOARD.includes(type)) {
      throw internal(`xen bus does not support ${type} input device`);
    }
  } else if (virtType === "vz" || virtType === "parallels") {
    if (bus !== "parallels") throw internal(`parallels containers don't support input bus ${bus}`);
    if (!MOUSE_OR_KEYBOARD.includes(type)) {
      throw internal(`parallels bus does not support ${type} input device`);
    }
  } else {
    throw internal("Input devices are not supported by this virtualization driver.");
  }
  if (type === "passthrough" && bus !== "virtio") {
    throw unsupported("only bus 'virtio' is supported for 'passthrough' input devices");
  }
  if (type === "evdev" && bus !== "none") {
    throw unsupported("input evdev doesn't support bus element");
  }
  const model = input.attributes.model;
  if (model !== undefined && VIRTIO_MODELS.includes(model) && bus !== "virtio") {
    throw unsupported(`only bus 'virtio' is supported for input model '${model}'`);
  }
}
