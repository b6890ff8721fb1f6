/**
 * The refusal of a device the command line cannot start. libvirt's QEMU driver starts far more
 * devices than edgevirt does; where edgevirt cannot, it refuses the start with libvirt's error
 * for a device the QEMU binary lacks (`VIR_ERR_CONFIG_UNSUPPORTED`, worded as
 * `qemuValidateDomainDef*`), never starting the guest without it.
 *
 * @module
 */
import type { XmlElement } from "../../../util/xml/mod.ts";
import { child } from "../../../util/xml/mod.ts";
import { VirError } from "../../../util/errors.ts";

/** The QEMU device libvirt would start for each element kind edgevirt never starts. */
const QEMU_DEVICES: Record<string, (dev: XmlElement) => string> = {
  watchdog: (dev) => dev.attributes.model ?? "i6300esb",
  sound: (dev) => dev.attributes.model ?? "ich6",
  rng: () => "virtio-rng-pci",
  hostdev: () => "vfio-pci",
  filesystem: (dev) =>
    child(dev, "driver")?.attributes.type === "virtiofs" ? "vhost-user-fs-pci" : "virtio-9p-pci",
  channel: (dev) =>
    child(dev, "target")?.attributes.type === "guestfwd" ? "guestfwd" : "virtserialport",
  console: () => "virtconsole",
  parallel: () => "isa-parallel",
  smartcard: () => "ccid-card-emulated",
  redirdev: () => "usb-redir",
  hub: () => "usb-hub",
  shmem: () => "ivshmem-plain",
  vsock: () => "vhost-vsock-pci",
  iommu: () => "intel-iommu",
  crypto: () => "virtio-crypto-pci",
};

/**
 * libvirt's `VIR_ERR_CONFIG_UNSUPPORTED` "unsupported configuration: …" with `message`.
 *
 * @example
 * ```ts
 * import { unsupported } from "./unsupported.ts";
 * unsupported("sdl graphics are not supported with this QEMU").message;
 * // "unsupported configuration: sdl graphics are not supported with this QEMU"
 * ```
 */
export function unsupported(message: string): VirError {
  return VirError.report("QEMU", "CONFIG_UNSUPPORTED", message);
}

/**
 * The error for a device edgevirt cannot start: libvirt's "The '…' device is not supported by
 * this QEMU binary", naming the QEMU device libvirt would have used (the element's own name
 * where there is none).
 *
 * @example
 * ```ts
 * import { unsupportedDevice } from "./unsupported.ts";
 * import { element } from "../../../util/xml/mod.ts";
 * unsupportedDevice(element("watchdog", { model: "ib700" })).message;
 * // "unsupported configuration: The 'ib700' device is not supported by this QEMU binary"
 * ```
 */
export function unsupportedDevice(dev: XmlElement, qemuDevice?: string): VirError {
  const name = qemuDevice ?? QEMU_DEVICES[dev.name]?.(dev) ?? dev.name;
  return unsupported(`The '${name}' device is not supported by this QEMU binary`);
}

/**
 * libvirt's "chardev '…' not supported in this QEMU binary" for a character device backend the
 * command line does not build.
 *
 * @example
 * ```ts
 * import { unsupportedChardev } from "./unsupported.ts";
 * unsupportedChardev("tcp").message;
 * // "unsupported configuration: chardev 'tcp' not supported in this QEMU binary"
 * ```
 */
export function unsupportedChardev(type: string): VirError {
  return unsupported(`chardev '${type}' not supported in this QEMU binary`);
}

/**
 * The refusal of a disk's `<encryption>`: libvirt's own refusals (`qemuDomainValidateStorageSource`)
 * for the formats and engines it never starts, and for LUKS, which needs its secret handed to
 * QEMU, the refusal of QEMU's `luks` block driver as a missing device.
 *
 * @example
 * ```ts
 * import { unsupportedEncryption } from "./unsupported.ts";
 * import { element } from "../../../util/xml/mod.ts";
 * unsupportedEncryption(element("encryption", { format: "qcow" })).message;
 * // "unsupported configuration: old qcow/qcow2 encryption is not supported"
 * ```
 */
export function unsupportedEncryption(enc: XmlElement): VirError {
  const { format = "default", engine = "qemu" } = enc.attributes;
  if (format === "default" || format === "qcow") {
    return unsupported("old qcow/qcow2 encryption is not supported");
  }
  if (engine === "librbd") {
    return unsupported("librbd encryption is not supported by this QEMU binary");
  }
  if (format === "luks2") {
    return unsupported("luks2 is currently not supported by the qemu encryption engine");
  }
  return unsupported(`The '${format}' device is not supported by this QEMU binary`);
}
