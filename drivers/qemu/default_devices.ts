/**
 * The devices the QEMU driver adds to every x86 definition (`qemuDomainDefAddDefaultDevices`,
 * the implicit PS/2 inputs, `qemuDomainDefAddDefaultAudioBackend`); `pci_address.ts` gives them
 * their addresses.
 *
 * @module
 */
import { VirError } from "../../util/errors.ts";
import type { DomainDef } from "../../conf/domain/def.ts";
import { defaultAudio } from "./default_audio.ts";
import { DEVICE_ORDER } from "../../conf/domain/devices.ts";
import { element, type XmlElement } from "../../util/xml/mod.ts";

/**
 * True for a q35 machine type (PCI Express root complex).
 *
 * @example
 * ```ts
 * import { isQ35 } from "./default_devices.ts";
 * import type { DomainDef } from "../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * isQ35(def); // true for pc-q35-7.2
 * ```
 */
export const isQ35 = (def: DomainDef) => /^pc-q35|^q35$/.test(def.os.machine ?? "");

/**
 * Inserts a device in libvirt's device order, or right after `after`.
 *
 * @example
 * ```ts
 * import { insertDevice } from "./default_devices.ts";
 * import { element } from "../../util/xml/mod.ts";
 * import type { DomainDef } from "../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * insertDevice(def, element("memballoon", { model: "virtio" }));
 * ```
 */
export function insertDevice(def: DomainDef, dev: XmlElement, after?: XmlElement): void {
  const other = def.devices.other;
  if (after) return void other.splice(other.indexOf(after) + 1, 0, dev);
  const rank = DEVICE_ORDER.indexOf(dev.name);
  const at = other.findLastIndex((d) => DEVICE_ORDER.indexOf(d.name) <= rank);
  other.splice(at + 1, 0, dev);
}

function controller(def: DomainDef, type: string, index = "0"): XmlElement | undefined {
  return def.devices.other.find((d) =>
    d.name === "controller" && d.attributes.type === type && (d.attributes.index ?? "0") === index
  );
}

/**
 * Adds the USB controller (piix3-uhci on i440fx, qemu-xhci on q35), q35's SATA controller, the
 * PCI root, PS/2 mouse and keyboard, a virtio memballoon and an audio backend, each only when
 * the definition has none.
 *
 * @example
 * ```ts
 * import { addDefaultDevices } from "./default_devices.ts";
 * import { parseDomainXML } from "../../conf/domain/mod.ts";
 * const def = parseDomainXML(
 *   "<domain type='qemu'><name>a</name><memory>8192</memory><os><type machine='pc'>hvm</type></os></domain>",
 * );
 * addDefaultDevices(def);
 * def.devices.other.map((d) => d.name); // controller, controller, input, input, audio, memballoon
 * ```
 */
export function addDefaultDevices(def: DomainDef): void {
  const q35 = isQ35(def);
  const usb = controller(def, "usb");
  if (!usb) {
    insertDevice(
      def,
      element("controller", { type: "usb", index: "0", model: q35 ? "qemu-xhci" : "piix3-uhci" }),
    );
  }
  if (q35 && !controller(def, "sata")) {
    insertDevice(def, element("controller", { type: "sata", index: "0" }));
  }
  const root = q35 ? "pcie-root" : "pci-root";
  const pci = controller(def, "pci");
  if (!pci) insertDevice(def, element("controller", { type: "pci", index: "0", model: root }));
  else if (pci.attributes.model !== root) {
    throw VirError.report(
      "QEMU",
      "XML_ERROR",
      `The PCI controller with index='0' must be model='${root}' for this machine type, ` +
        `but model='${pci.attributes.model}' was found instead`,
    );
  }
  const inputs = def.devices.other.filter((d) => d.name === "input");
  for (const type of ["mouse", "keyboard"]) {
    if (!inputs.some((i) => i.attributes.type === type && i.attributes.bus === "ps2")) {
      insertDevice(def, element("input", { type, bus: "ps2" }));
    }
  }
  if (!def.devices.other.some((d) => d.name === "audio")) {
    const audio = defaultAudio(def.devices.other.filter((d) => d.name === "graphics"));
    if (audio) insertDevice(def, audio);
  }
  if (!def.devices.other.some((d) => d.name === "memballoon")) {
    insertDevice(def, element("memballoon", { model: "virtio" }));
  }
}
