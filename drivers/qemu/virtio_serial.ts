/**
 * virtio-serial channels as libvirt places them: a `<controller type='virtio-serial'>` for every
 * controller a virtio channel or console names (`virDomainDefMaybeAddVirtioSerialController`),
 * then
 * qemuDomainAssignVirtioSerialAddresses: the ports addresses hold are reserved, each virtio
 * console takes a port (from 0) it does not write, and each channel without a port the first
 * free one from 1 of the controller it names or else of the first controller with one free,
 * a new controller when none has.
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { VirError } from "../../util/errors.ts";
import { child, element, type XmlElement } from "../../util/xml/mod.ts";
import { insertDevice } from "./default_devices.ts";

const isVirtioChannel = (d: XmlElement) =>
  d.name === "channel" && child(d, "target")?.attributes.type === "virtio";
const isVirtioConsole = (d: XmlElement) =>
  d.name === "console" && child(d, "target")?.attributes.type === "virtio";

/** VIR_DOMAIN_DEFAULT_VIRTIO_SERIAL_PORTS: a controller's ports when it says none. */
const DEFAULT_PORTS = 31;

/** One controller's ports (virDomainVirtioSerialController). */
interface Ports {
  index: number;
  size: number;
  used: Set<number>;
}

const xmlError = (message: string) => VirError.report("DOMAIN", "XML_ERROR", message);

/** A device's virtio-serial address when it names its port (virDomainVirtioSerialAddrIsComplete). */
function completeAddress(dev: XmlElement): Record<string, string> | undefined {
  const a = child(dev, "address")?.attributes;
  return a?.type === "virtio-serial" && Number(a.port ?? 0) ? a : undefined;
}

/** virDomainVirtioSerialAddrReserve. */
function reserve(set: Ports[], controller: number, port: number): void {
  const ports = set.find((p) => p.index === controller);
  if (!ports) throw xmlError(`virtio serial controller ${controller} is missing`);
  if (port >= ports.size) {
    throw xmlError(`virtio serial controller ${controller} does not have port ${port}`);
  }
  if (ports.used.has(port)) {
    throw xmlError(`virtio serial port ${port} on controller ${controller} is already occupied`);
  }
  ports.used.add(port);
}

/** virDomainVirtioSerialAddrSetCreateFromDomain: the controllers and the ports `def` holds. */
function portsOf(def: DomainDef, skip?: XmlElement): Ports[] {
  const set = def.devices.other
    .filter((d) => d.name === "controller" && d.attributes.type === "virtio-serial")
    .map((d) => ({
      index: Number(d.attributes.index ?? 0),
      size: Number(d.attributes.ports ?? DEFAULT_PORTS),
      used: new Set<number>(),
    }))
    .sort((x, y) => x.index - y.index);
  for (const d of def.devices.other) {
    const a = d === skip ? undefined : completeAddress(d);
    if (a) reserve(set, Number(a.controller ?? 0), Number(a.port));
  }
  return set;
}

const firstFree = (p: Ports, from: number) => {
  for (let port = from; port < p.size; port++) if (!p.used.has(port)) return port;
  return -1;
};

/**
 * virDomainVirtioSerialAddrNext / NextFromController: the address a device of `def` gets, its
 * port reserved in `set`; `controller` when its address names one.
 */
function nextAddress(
  def: DomainDef,
  set: Ports[],
  controller?: number,
): { controller: number; port: number } {
  if (controller !== undefined) {
    const ports = set.find((p) => p.index === controller);
    if (!ports) {
      throw VirError.report(
        "DOMAIN",
        "INTERNAL_ERROR",
        `virtio-serial controller ${controller} not available`,
      );
    }
    const port = firstFree(ports, 1);
    if (port <= 0) {
      throw xmlError(`Unable to find a free port on virtio-serial controller ${controller}`);
    }
    reserve(set, controller, port);
    return { controller, port };
  }
  if (!set.length) {
    throw VirError.report("DOMAIN", "INTERNAL_ERROR", "no virtio-serial controllers are available");
  }
  // Port 0 is a virtio console's.
  for (const ports of set) {
    const port = firstFree(ports, 1);
    if (port >= 0) {
      reserve(set, ports.index, port);
      return { controller: ports.index, port };
    }
  }
  // Every controller is full: the first missing index gets a new one.
  let index = 0;
  while (set.some((p) => p.index === index)) index++;
  insertDevice(def, element("controller", { type: "virtio-serial", index: String(index) }));
  set.push({ index, size: DEFAULT_PORTS, used: new Set([1]) });
  set.sort((x, y) => x.index - y.index);
  return { controller: index, port: 1 };
}

/**
 * Adds the virtio-serial controllers the definition's virtio channels and consoles need, then
 * gives each channel its port.
 *
 * @example
 * ```ts
 * import { placeVirtioChannels } from "./virtio_serial.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * placeVirtioChannels(def);
 * ```
 */
export function placeVirtioChannels(def: DomainDef): void {
  const channels = def.devices.other.filter(isVirtioChannel);
  const consoles = def.devices.other.filter(isVirtioConsole);
  for (const dev of [...channels, ...consoles]) {
    const a = child(dev, "address")?.attributes;
    const index = a?.type === "virtio-serial" ? String(Number(a.controller ?? 0)) : "0";
    const exists = def.devices.other.some((d) =>
      d.name === "controller" && d.attributes.type === "virtio-serial" &&
      (d.attributes.index ?? "0") === index
    );
    if (!exists) insertDevice(def, element("controller", { type: "virtio-serial", index }));
  }
  if (!channels.length) return;
  // A virtio console's port is assigned to a scratch copy, port 0, which counts as no
  // address: it holds none.
  const set = portsOf(def);
  for (const channel of channels) assignPort(def, set, channel);
}

/** Gives channel `dev` the next address of `set` unless its own names a port. */
function assignPort(def: DomainDef, set: Ports[], dev: XmlElement): void {
  if (completeAddress(dev)) return;
  const address = child(dev, "address");
  const given = address?.attributes.type === "virtio-serial"
    ? Number(address.attributes.controller ?? 0)
    : undefined;
  const { controller, port } = nextAddress(def, set, given);
  const placed = element("address", {
    type: "virtio-serial",
    controller: String(controller),
    bus: "0",
    port: String(port),
  });
  if (address) dev.children[dev.children.indexOf(address)] = placed;
  else dev.children.push(placed);
}

/**
 * `virDomainVirtioSerialAddrAutoAssign` for one channel `dev` of `def` (which may not list it
 * yet): its port as {@link placeVirtioChannels} gives it.
 *
 * @example
 * ```ts
 * import { assignVirtioSerialPort } from "./virtio_serial.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * declare const dev: import("../../util/xml/mod.ts").XmlElement;
 * assignVirtioSerialPort(def, dev);
 * ```
 */
export function assignVirtioSerialPort(def: DomainDef, dev: XmlElement): void {
  if (completeAddress(dev)) return;
  assignPort(def, portsOf(def, dev), dev);
}

/**
 * The `virtserialport` device of virtio channel `dev` (`qemuBuildChrDeviceProps`): on bus
 * `ALIAS.BUS` of the controller its address names, at port `nr`, fed by chardev `charALIAS`.
 *
 * @example
 * ```ts
 * import { virtserialportProps } from "./virtio_serial.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * declare const dev: import("../../util/xml/mod.ts").XmlElement;
 * virtserialportProps(def, dev); // { driver: "virtserialport", bus: "virtio-serial0.0", nr: 1, … }
 * ```
 */
export function virtserialportProps(def: DomainDef, dev: XmlElement): Record<string, unknown> {
  const alias = child(dev, "alias")?.attributes.name;
  const target = child(dev, "target")?.attributes ?? {};
  const a = child(dev, "address")?.attributes ?? {};
  const controller = def.devices.other.find((d) =>
    d.name === "controller" && d.attributes.type === "virtio-serial" &&
    (d.attributes.index ?? "0") === (a.controller ?? "0")
  );
  const bus = controller && child(controller, "alias")?.attributes.name ||
    `virtio-serial${a.controller ?? 0}`;
  return {
    driver: "virtserialport",
    bus: `${bus}.${Number(a.bus ?? 0)}`,
    nr: Number(a.port),
    chardev: `char${alias}`,
    id: alias,
    ...(target.name ? { name: target.name } : {}),
  };
}
