/**
 * Virtio input devices as libvirt 9.0 starts them (`qemuBuildVirtioInputDevProps`): a virtio
 * mouse, tablet or keyboard, or a host's evdev passed through (`virtio-input-host-pci`), each a
 * PCI device with its virtio options. The transitional models do not exist for inputs
 * (qemuValidateDomainDeviceDefInput); a host evdev grabbed by QEMU (`type='evdev'`) is refused.
 *
 * @module
 */
import { child, type XmlElement } from "../../../util/xml/mod.ts";
import { VirError } from "../../../util/errors.ts";
import { keyvalDevice } from "./escape.ts";
import { unsupportedDevice } from "./unsupported.ts";
import { virtioProps } from "./virtio_options.ts";

/** QEMU's virtio device of each input type. */
const VIRTIO_INPUTS: Record<string, string> = {
  mouse: "virtio-mouse-pci",
  tablet: "virtio-tablet-pci",
  keyboard: "virtio-keyboard-pci",
  passthrough: "virtio-input-host-pci",
};

/**
 * qemuValidateDomainDeviceDefInput for virtio inputs: no transitional models.
 *
 * @example
 * ```ts
 * import { validateVirtioInput } from "./input_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * validateVirtioInput(parse("<input type='tablet' bus='virtio'/>")); // no error
 * ```
 */
export function validateVirtioInput(input: XmlElement): void {
  const { bus, model, type } = input.attributes;
  if (
    bus === "virtio" && (model === "virtio-transitional" || model === "virtio-non-transitional")
  ) {
    throw VirError.report(
      "QEMU",
      "CONFIG_UNSUPPORTED",
      `virtio (non-)transitional models are not supported for input type=${type}`,
    );
  }
}

/**
 * The `-device` of a virtio `<input>` whose PCI placement (`,bus=…,addr=…`) is `at`.
 *
 * @example
 * ```ts
 * import { virtioInputArgs } from "./input_args.ts";
 * import { parse } from "../../../util/xml/mod.ts";
 * const tablet = parse("<input type='tablet' bus='virtio'><alias name='input0'/></input>");
 * virtioInputArgs(tablet, ",bus=pci.0,addr=0x5");
 * // ["-device", "virtio-tablet-pci,id=input0,bus=pci.0,addr=0x5"]
 * ```
 */
export function virtioInputArgs(input: XmlElement, at: string): string[] {
  const driver = VIRTIO_INPUTS[input.attributes.type];
  const alias = child(input, "alias")?.attributes.name;
  if (!driver || !alias || !at) throw unsupportedDevice(input, driver ?? "input-linux");
  const evdev = child(input, "source")?.attributes.evdev;
  return [
    "-device",
    keyvalDevice({
      driver,
      ...virtioProps(child(input, "driver")),
      id: alias,
      ...(input.attributes.type === "passthrough" ? { evdev } : {}),
    }) + at,
  ];
}
