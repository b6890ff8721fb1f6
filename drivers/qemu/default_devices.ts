/**
 * The devices the QEMU driver adds to every x86 definition (`qemuDomainDefAddDefaultDevices`,
 * the implicit PS/2 inputs, `qemuDomainDefAddDefaultAudioBackend`) and the PCI addresses of
 * those devices (the part of `qemuDomainAssignPCIAddresses` they need).
 *
 * Only the implicit devices get addresses here: a user's device without an address (a virtio
 * disk, a NIC, a video card) keeps none, and on q35 gets no root port of its own.
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { DEVICE_ORDER } from "../../conf/domain/devices.ts";
import { child, element, type XmlElement } from "../../util/xml/mod.ts";

const isQ35 = (def: DomainDef) => /^pc-q35|^q35$/.test(def.os.machine ?? "");

function insertDevice(def: DomainDef, dev: XmlElement, after?: XmlElement): void {
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

function pciAddress(bus: number, slot: number, fn: number, multifunction?: boolean) {
  const hex = (n: number, w: number) => `0x${n.toString(16).padStart(w, "0")}`;
  return element("address", {
    type: "pci",
    domain: "0x0000",
    bus: hex(bus, 2),
    slot: hex(slot, 2),
    function: hex(fn, 1),
    multifunction: multifunction ? "on" : undefined,
  });
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
  } else if (!usb.attributes.model) {
    usb.attributes = { ...usb.attributes, model: q35 ? "qemu-xhci" : "piix3-uhci" };
  }
  if (q35 && !controller(def, "sata")) {
    insertDevice(def, element("controller", { type: "sata", index: "0" }));
  }
  if (!controller(def, "pci")) {
    insertDevice(
      def,
      element("controller", { type: "pci", index: "0", model: q35 ? "pcie-root" : "pci-root" }),
    );
  }
  const inputs = def.devices.other.filter((d) => d.name === "input");
  for (const type of ["mouse", "keyboard"]) {
    if (!inputs.some((i) => i.attributes.type === type && i.attributes.bus === "ps2")) {
      insertDevice(def, element("input", { type, bus: "ps2" }));
    }
  }
  if (!def.devices.other.some((d) => d.name === "audio")) {
    const spice = def.devices.other.some((d) =>
      d.name === "graphics" && d.attributes.type === "spice"
    );
    insertDevice(def, element("audio", { id: "1", type: spice ? "spice" : "none" }));
  }
  if (!def.devices.other.some((d) => d.name === "memballoon")) {
    insertDevice(def, element("memballoon", { model: "virtio" }));
  }
}

function hasAddress(dev: XmlElement): boolean {
  return child(dev, "address") !== undefined;
}

function setAddress(dev: XmlElement, address: XmlElement): void {
  dev.children.push(address);
}

/** Slots of bus 0 that explicit PCI addresses already take. */
function usedRootSlots(def: DomainDef): Set<number> {
  const used = new Set<number>();
  for (const dev of def.devices.other) {
    const a = child(dev, "address")?.attributes;
    if (a?.type === "pci" && Number(a.bus ?? 0) === 0) used.add(Number(a.slot));
  }
  return used;
}

/**
 * PCI addresses for the implicit devices: on i440fx the USB controller is function 2 of the
 * PIIX3 in slot 1, the primary video takes slot 2 and the memballoon the first free slot; on q35 SATA is 00:1f.2, and the USB controller and memballoon each sit behind a
 * pcie-root-port on bus 0 slot 1, with one spare port left for hotplug.
 *
 * @example
 * ```ts
 * import { addDefaultDevices, assignDefaultAddresses } from "./default_devices.ts";
 * import type { DomainDef } from "../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * addDefaultDevices(def);
 * assignDefaultAddresses(def);
 * ```
 */
export function assignDefaultAddresses(def: DomainDef): void {
  const usb = controller(def, "usb");
  const balloon = def.devices.other.find((d) =>
    d.name === "memballoon" && d.attributes.model === "virtio" && !hasAddress(d)
  );
  const usbNeeds = usb && usb.attributes.model !== "none" && !hasAddress(usb) ? usb : undefined;
  if (!isQ35(def)) {
    if (usbNeeds?.attributes.model === "piix3-uhci") setAddress(usbNeeds, pciAddress(0, 1, 2));
    const video = def.devices.other.find((d) => d.name === "video");
    const used = usedRootSlots(def);
    if (video && !hasAddress(video) && !used.has(2)) setAddress(video, pciAddress(0, 2, 0));
    if (balloon) {
      used.add(1);
      if (video) used.add(2);
      let slot = 2;
      while (used.has(slot)) slot++;
      setAddress(balloon, pciAddress(0, slot, 0));
    }
    return;
  }
  const sata = controller(def, "sata");
  if (sata && !hasAddress(sata)) setAddress(sata, pciAddress(0, 0x1f, 2));
  // A user's own root ports mean a user's own layout: leave it alone.
  const ports = def.devices.other.some((d) =>
    d.name === "controller" && d.attributes.model === "pcie-root-port"
  );
  if (ports) return;
  const endpoints = [usbNeeds, balloon].filter((d): d is XmlElement => d !== undefined);
  if (!endpoints.length) return;
  let last = controller(def, "pci")!;
  for (let i = 1; i <= endpoints.length + 1; i++) {
    const fn = i - 1;
    const port = element("controller", { type: "pci", index: String(i), model: "pcie-root-port" }, [
      element("model", { name: "pcie-root-port" }),
      element("target", { chassis: String(i), port: `0x${(8 + fn).toString(16)}` }),
      pciAddress(0, 1, fn, fn === 0),
    ]);
    insertDevice(def, port, last);
    last = port;
  }
  endpoints.forEach((dev, i) => setAddress(dev, pciAddress(i + 1, 0, 0)));
}
