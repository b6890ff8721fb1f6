/**
 * USB ports of USB devices that have none (libvirt's `qemuDomainAssignUSBAddresses`): the
 * ports of USB controller 0 in order, 1 upwards, skipping ports that explicit addresses take,
 * for hubs first, then disks, inputs, USB sound cards and redirected devices (libvirt's
 * `virDomainUSBDeviceDefForeach` order).
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { child, element, type XmlElement } from "../../util/xml/mod.ts";

/** Root hub ports per controller model (`virDomainUSBAddressControllerModelToPorts`). */
const PORTS: Record<string, number> = {
  "piix3-uhci": 2,
  "piix4-uhci": 2,
  "ich9-uhci1": 2,
  "ich9-ehci1": 6,
  ehci: 6,
  "nec-xhci": 4,
  "qemu-xhci": 15,
};

const onUsb = (dev: XmlElement) =>
  (dev.name === "hub" && dev.attributes.type === "usb") ||
  (dev.name === "input" && dev.attributes.bus === "usb") ||
  (dev.name === "disk" && child(dev, "target")?.attributes.bus === "usb") ||
  (dev.name === "sound" && dev.attributes.model === "usb") ||
  (dev.name === "redirdev" && dev.attributes.bus === "usb");

/**
 * Assigns `<address type='usb' bus='0' port='N'/>` to USB disks, inputs and sound cards.
 * Devices beyond the root hub's ports stay unaddressed (libvirt would add a `usb-hub` for them).
 *
 * @example
 * ```ts
 * import { assignUsbAddresses } from "./usb_address.ts";
 * import type { DomainDef } from "../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * assignUsbAddresses(def); // a USB tablet gets bus 0, port 1
 * ```
 */
export function assignUsbAddresses(def: DomainDef): void {
  const usb = def.devices.other.find((d) =>
    d.name === "controller" && d.attributes.type === "usb" && (d.attributes.index ?? "0") === "0"
  );
  const ports = PORTS[usb?.attributes.model ?? ""] ?? 0;
  const devices = def.devices.other.filter(onUsb);
  const used = new Set<string>();
  for (const dev of devices) {
    const a = child(dev, "address")?.attributes;
    if (a?.type === "usb" && (a.bus ?? "0") === "0") used.add(a.port);
  }
  const order = [
    ...devices.filter((d) => d.name === "hub"),
    ...devices.filter((d) => d.name === "disk"),
    ...devices.filter((d) => d.name === "input"),
    ...devices.filter((d) => d.name === "sound"),
    ...devices.filter((d) => d.name === "redirdev"),
  ];
  let port = 1;
  for (const dev of order) {
    if (child(dev, "address")) continue;
    while (used.has(String(port))) port++;
    if (port > ports) return;
    dev.children.push(element("address", { type: "usb", bus: "0", port: String(port) }));
    used.add(String(port));
  }
}
