/**
 * USB ports of USB devices that have none (libvirt's `qemuDomainAssignUSBAddresses`): the
 * ports of USB controller 0 in order, 1 upwards, skipping ports that explicit addresses take,
 * for the USB devices in libvirt's `virDomainUSBDeviceDefForeach` order.
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

/**
 * The USB devices, in libvirt's `virDomainUSBDeviceDefForeach` order: hubs, host devices (a
 * hostdev NIC's among them, parsed before the `<hostdev>`s), disks, CCID controllers, inputs,
 * USB serial ports, USB sound cards, redirected devices.
 */
const USB_DEVICES: ((dev: XmlElement) => boolean)[] = [
  (dev) => dev.name === "hub" && dev.attributes.type === "usb",
  (dev) => dev.name === "hostdev" && dev.attributes.type === "usb",
  (dev) => dev.name === "disk" && child(dev, "target")?.attributes.bus === "usb",
  (dev) => dev.name === "controller" && dev.attributes.type === "ccid",
  (dev) => dev.name === "input" && dev.attributes.bus === "usb",
  (dev) => dev.name === "serial" && child(dev, "target")?.attributes.type === "usb-serial",
  (dev) => dev.name === "sound" && dev.attributes.model === "usb",
  (dev) => dev.name === "redirdev" && dev.attributes.bus === "usb",
];

/** Where a device keeps its `<address>`: a NIC in `extra`, any other in its children. */
type Holder = { children: XmlElement["children"] };

/** The USB devices of `def` in libvirt's order. */
function usbDevices(def: DomainDef): Holder[] {
  const nics: Holder[] = def.devices.interfaces
    .filter((n) =>
      n.type === "hostdev" && child(n.hostdevSource, "address")?.attributes.type === "usb"
    )
    .map((n) => ({ children: n.extra }));
  return USB_DEVICES.flatMap((is, i) => [
    ...(i === 1 ? nics : []),
    ...def.devices.other.filter(is),
  ]);
}

const addressOf = (dev: Holder) =>
  dev.children.find((c): c is XmlElement => c.type === "element" && c.name === "address");

/**
 * Assigns `<address type='usb' bus='0' port='N'/>` to the USB devices that have no address.
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
  const devices = usbDevices(def);
  const used = new Set<string>();
  for (const dev of devices) {
    const a = addressOf(dev)?.attributes;
    if (a?.type === "usb" && (a.bus ?? "0") === "0") used.add(a.port);
  }
  let port = 1;
  for (const dev of devices) {
    if (addressOf(dev)) continue;
    while (used.has(String(port))) port++;
    if (port > ports) return;
    dev.children.push(element("address", { type: "usb", bus: "0", port: String(port) }));
    used.add(String(port));
  }
}
