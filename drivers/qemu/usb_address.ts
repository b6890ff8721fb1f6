/**
 * USB ports of USB devices, as libvirt 9.0's `qemuDomainAssignUSBAddresses` gives them: a bus
 * per USB controller with its root hub's ports (conf/domain_addr.c's USB address set), the
 * `usb-hub`s the devices need added, the hubs placed, the addresses the XML gives reserved
 * (with libvirt's errors for a missing bus, hub or port and a port used twice), then each
 * device without one the first free port, a hub's own ports searched after its parent's.
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { VirError } from "../../util/errors.ts";
import { child, element, type XmlElement } from "../../util/xml/mod.ts";
import { insertDevice } from "./default_devices.ts";

/** `VIR_DOMAIN_USB_HUB_PORTS`: the ports of a `usb-hub`. */
const HUB_PORTS = 8;
/** `VIR_DOMAIN_DEVICE_USB_MAX_PORT_DEPTH`: a port path's levels. */
const MAX_DEPTH = 4;

/** Root hub ports per controller model (`virDomainUSBAddressControllerModelToPorts`). */
const PORTS: Record<string, number> = {
  "piix3-uhci": 2,
  "piix4-uhci": 2,
  "vt82c686b-uhci": 2,
  ehci: 6,
  "ich9-ehci1": 6,
  "pci-ohci": 3,
  // The ICH9 UHCI companions give their master's EHCI ports.
};

/** An XHCI controller's ports: its `ports` attribute, else 4. */
const XHCI = new Set(["nec-xhci", "qemu-xhci"]);

function controllerPorts(c: XmlElement): number {
  const { model = "", ports } = c.attributes;
  if (XHCI.has(model)) return ports === undefined ? 4 : Number(ports);
  return PORTS[model] ?? 0;
}

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

/** The USB devices of `def` in libvirt's order; without the hubs for `skipHubs`. */
function usbDevices(def: DomainDef, skipHubs: boolean): Holder[] {
  const nics: Holder[] = def.devices.interfaces
    .filter((n) =>
      n.type === "hostdev" && child(n.hostdevSource, "address")?.attributes.type === "usb"
    )
    .map((n) => ({ children: n.extra }));
  return USB_DEVICES.flatMap((is, i) => [
    ...(i === 1 ? nics : []),
    ...(i === 0 && skipHubs ? [] : def.devices.other.filter(is)),
  ]);
}

const addressOf = (dev: Holder) =>
  dev.children.find((c): c is XmlElement => c.type === "element" && c.name === "address");

/** A device's USB address: its bus, and its port path when one is given (a first port). */
function usbAddress(dev: Holder): { bus: number; path?: number[] } | undefined {
  const a = addressOf(dev)?.attributes;
  if (a?.type !== "usb") return undefined;
  const path = (a.port ?? "").split(".").filter((p) => p !== "").map(Number);
  return { bus: Number(a.bus ?? 0), path: path[0] ? path : undefined };
}

interface Hub {
  used: boolean[];
  hubs: (Hub | undefined)[];
}

const newHub = (ports: number): Hub => ({
  used: Array(ports).fill(false),
  hubs: Array(ports).fill(undefined),
});

const xmlError = (message: string) => VirError.report("DOMAIN", "XML_ERROR", message);

/** libvirt's `virDomainUSBAddressSet`: the root hub of each bus. */
class UsbAddressSet {
  readonly buses: (Hub | undefined)[] = [];

  /** `virDomainUSBAddressSetAddController`. */
  addController(c: XmlElement): void {
    const ports = controllerPorts(c);
    if (!ports) return;
    const idx = Number(c.attributes.index ?? 0);
    if (this.buses[idx]) throw xmlError(`Duplicate USB controllers with index ${idx}`);
    this.buses[idx] = newHub(ports);
  }

  /** `virDomainUSBAddressFindPort`: the hub holding the port `path` names, and its index. */
  private findPort(bus: number, path: number[]): [Hub, number] {
    const str = path.join(".");
    let hub = this.buses[bus];
    if (!hub) throw xmlError(`Missing USB bus ${bus}`);
    for (const port of path.slice(0, -1)) {
      if (hub.used.length <= port - 1) {
        throw xmlError(`port ${port} out of range in USB address bus: ${bus} port: ${str}`);
      }
      const next: Hub | undefined = hub.hubs[port - 1];
      if (!next) {
        throw xmlError(`there is no hub at port ${port} in USB address bus: ${bus} port: ${str}`);
      }
      hub = next;
    }
    const target = path[path.length - 1] - 1;
    if (target >= hub.used.length) {
      throw xmlError(`requested USB port ${str} not present on USB bus ${bus}`);
    }
    return [hub, target];
  }

  /** `virDomainUSBAddressSetAddHub`: a hub at `path` with ports of its own. */
  addHub(bus: number, path: number[]): void {
    const [hub, port] = this.findPort(bus, path);
    if (hub.hubs[port]) throw xmlError(`Duplicate USB hub on bus ${bus} port ${path.join(".")}`);
    hub.used[port] = true;
    hub.hubs[port] = newHub(HUB_PORTS);
  }

  /** `virDomainUSBAddressReserve`. */
  reserve(bus: number, path: number[]): void {
    const [hub, port] = this.findPort(bus, path);
    if (hub.used[port]) throw xmlError(`Duplicate USB address bus ${bus} port ${path.join(".")}`);
    hub.used[port] = true;
  }

  /** `virDomainUSBAddressAssign`: the first free port of bus `bus`, else of any bus. */
  assign(bus?: number): { bus: number; path: number[] } {
    if (bus !== undefined && !this.buses[bus]) {
      throw xmlError(`USB bus ${bus} requested but no controller with that index is present`);
    }
    const buses = bus !== undefined ? [bus] : this.buses.map((_, i) => i);
    for (const b of buses) {
      const hub = this.buses[b];
      const path = hub && freePort(hub, 0);
      if (!path) continue;
      this.reserve(b, path);
      return { bus: b, path };
    }
    throw VirError.report("DOMAIN", "INTERNAL_ERROR", "No free USB ports");
  }
}

/** `virDomainUSBAddressFindFreePort`: a hub's own free port, else one of its hubs'. */
function freePort(hub: Hub, level: number): number[] | undefined {
  const free = hub.used.indexOf(false);
  if (free >= 0) return [free + 1];
  if (level >= MAX_DEPTH - 1) return undefined;
  for (const [i, sub] of hub.hubs.entries()) {
    const path = sub && freePort(sub, level + 1);
    if (path) return [i + 1, ...path];
  }
  return undefined;
}

function setAddress(dev: Holder, bus: number, path: number[]): void {
  const old = addressOf(dev);
  if (old) dev.children.splice(dev.children.indexOf(old), 1);
  dev.children.push(element("address", { type: "usb", bus: String(bus), port: path.join(".") }));
}

/**
 * `qemuDomainUSBAddressAddHubs`: as many `usb-hub`s as the devices beyond the controllers' and
 * hubs' ports need (each hub takes a port of its own).
 */
function addHubs(def: DomainDef): void {
  const count = usbDevices(def, false).length;
  const usb = def.devices.other.filter((d) =>
    d.name === "controller" && d.attributes.type === "usb"
  );
  if (count && !usb.some((c) => c.attributes.model !== "none")) {
    throw VirError.report(
      "DOMAIN",
      "CONFIG_UNSUPPORTED",
      "USB is disabled for this domain, but USB devices are present in the domain XML",
    );
  }
  const hubs = def.devices.other.filter(USB_DEVICES[0]).length;
  const available = usb.reduce((n, c) => n + controllerPorts(c), 0) + hubs * HUB_PORTS;
  const needed = count > available ? Math.ceil((count - available + 1) / (HUB_PORTS - 1)) : 0;
  for (let i = 0; i < needed; i++) insertDevice(def, element("hub", { type: "usb" }));
}

/**
 * Gives the USB devices without a USB port one, adding the hubs they need but for a device
 * plugged into a running domain (`live`).
 *
 * @example
 * ```ts
 * import { assignUsbAddresses } from "./usb_address.ts";
 * import type { DomainDef } from "../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * assignUsbAddresses(def); // a USB tablet gets bus 0, port 1
 * ```
 */
export function assignUsbAddresses(def: DomainDef, live = false): void {
  // A running domain's hubs are what they are (qemuDomainEnsureUSBAddress).
  if (!live) addHubs(def);
  const set = new UsbAddressSet();
  for (const c of def.devices.other) {
    if (c.name === "controller" && c.attributes.type === "usb") set.addController(c);
  }
  const hubs = def.devices.other.filter(USB_DEVICES[0]);
  for (const hub of hubs) {
    const a = usbAddress(hub);
    if (a?.path) set.addHub(a.bus, a.path);
  }
  for (const dev of usbDevices(def, true)) {
    const a = usbAddress(dev);
    if (a?.path) set.reserve(a.bus, a.path);
  }
  for (const hub of hubs) {
    const a = usbAddress(hub);
    if (a?.path || (addressOf(hub) && !a)) continue;
    const got = set.assign(a?.bus);
    setAddress(hub, got.bus, got.path);
    set.addHub(got.bus, got.path);
  }
  for (const dev of usbDevices(def, true)) {
    const a = usbAddress(dev);
    // Devices with an address of another type are not USB devices' to place.
    if (a?.path || (addressOf(dev) && !a)) continue;
    const got = set.assign(a?.bus);
    setAddress(dev, got.bus, got.path);
  }
}
