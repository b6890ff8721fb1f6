/**
 * virtio-serial ports as libvirt places them: a `<controller type='virtio-serial'>` for every
 * controller a virtio channel names (`virDomainDefMaybeAddVirtioSerialController`), then
 * (`qemuDomainAssignVirtioSerialAddresses`) the ports the XML gives reserved, each virtio console
 * reserving the first free port from 0 (the address is not written), each virtio channel the
 * first free one from 1 of the controller its address names, else of the first controller with
 * one, a new controller when all are full.
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { VirError } from "../../util/errors.ts";
import { child, element, type XmlElement } from "../../util/xml/mod.ts";
import { insertDevice } from "./default_devices.ts";

/** `VIR_DOMAIN_DEFAULT_VIRTIO_SERIAL_PORTS`. */
const DEFAULT_PORTS = 31;

const isVirtio = (name: string) => (d: XmlElement) =>
  d.name === name && child(d, "target")?.attributes.type === "virtio";

/**
 * Adds the virtio-serial controllers the definition's virtio channels name.
 *
 * @example
 * ```ts
 * import { placeVirtioChannels } from "./virtio_serial.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * placeVirtioChannels(def);
 * ```
 */
export function placeVirtioChannels(def: DomainDef): void {
  for (const channel of def.devices.other.filter(isVirtio("channel"))) {
    const a = child(channel, "address")?.attributes;
    const index = a?.type === "virtio-serial" ? String(Number(a.controller ?? 0)) : "0";
    if (!serialController(def, Number(index))) {
      insertDevice(def, element("controller", { type: "virtio-serial", index }));
    }
  }
}

const serialController = (def: DomainDef, index: number) =>
  def.devices.other.find((d) =>
    d.name === "controller" && d.attributes.type === "virtio-serial" &&
    Number(d.attributes.index ?? 0) === index
  );

const xmlError = (message: string) => VirError.report("DOMAIN", "XML_ERROR", message);

/** A complete virtio-serial address (one with a port). */
function completeAddress(dev: XmlElement): { controller: number; port: number } | undefined {
  const a = child(dev, "address")?.attributes;
  if (a?.type !== "virtio-serial" || !Number(a.port ?? 0)) return undefined;
  return { controller: Number(a.controller ?? 0), port: Number(a.port) };
}

/** libvirt's `virDomainVirtioSerialAddrSet`: the ports in use of each controller, by index. */
class SerialPorts {
  readonly controllers = new Map<number, boolean[]>();

  addController(c: XmlElement): void {
    const ports = c.attributes.ports === undefined ? DEFAULT_PORTS : Number(c.attributes.ports);
    this.controllers.set(Number(c.attributes.index ?? 0), Array(ports).fill(false));
  }

  /** `virDomainVirtioSerialAddrReserve`. */
  reserve(controller: number, port: number): void {
    const map = this.controllers.get(controller);
    if (!map) throw xmlError(`virtio serial controller ${controller} is missing`);
    if (port >= map.length) {
      throw xmlError(`virtio serial controller ${controller} does not have port ${port}`);
    }
    if (map[port]) {
      throw xmlError(`virtio serial port ${port} on controller ${controller} is already occupied`);
    }
    map[port] = true;
  }

  /** The first free port after `start` of controller `index` (-1 for none). */
  free(index: number, start: number): number {
    return this.controllers.get(index)!.findIndex((used, port) => port > start && !used);
  }
}

/** `virDomainVirtioSerialAddrSetCreateFromDomain`. */
function portsOf(def: DomainDef): SerialPorts {
  const set = new SerialPorts();
  for (const d of def.devices.other) {
    if (d.name === "controller" && d.attributes.type === "virtio-serial") set.addController(d);
  }
  for (const d of def.devices.other) {
    const a = completeAddress(d);
    if (a) set.reserve(a.controller, a.port);
  }
  return set;
}

/**
 * `virDomainVirtioSerialAddrAutoAssignFromCache` for `dev` (a console with `allowZero`, whose
 * address is reserved but not written): a port of the controller its address names, else of
 * the first controller (by index) with a free one, else of a new controller.
 */
function autoAssign(def: DomainDef, set: SerialPorts, dev: XmlElement, allowZero: boolean): void {
  const given = child(dev, "address");
  const start = allowZero ? -1 : 0;
  let controller: number;
  let port: number;
  if (given?.attributes.type === "virtio-serial") {
    controller = Number(given.attributes.controller ?? 0);
    if (!set.controllers.has(controller)) {
      throw VirError.report(
        "DOMAIN",
        "INTERNAL_ERROR",
        `virtio-serial controller ${controller} not available`,
      );
    }
    port = set.free(controller, 0);
    if (port <= 0) {
      throw xmlError(`Unable to find a free port on virtio-serial controller ${controller}`);
    }
  } else {
    const indexes = [...set.controllers.keys()].sort((a, b) => a - b);
    if (!indexes.length) {
      throw VirError.report(
        "DOMAIN",
        "INTERNAL_ERROR",
        "no virtio-serial controllers are available",
      );
    }
    controller = indexes.find((i) => set.free(i, start) >= 0) ?? -1;
    if (controller >= 0) port = set.free(controller, start);
    else {
      controller = 0;
      while (serialController(def, controller)) controller++;
      const added = element("controller", { type: "virtio-serial", index: String(controller) });
      insertDevice(def, added);
      set.addController(added);
      port = start + 1;
    }
  }
  set.reserve(controller, port);
  if (allowZero) return;
  if (given) dev.children.splice(dev.children.indexOf(given), 1);
  dev.children.push(
    element("address", {
      type: "virtio-serial",
      controller: String(controller),
      bus: "0",
      port: String(port),
    }),
  );
}

/**
 * `qemuDomainAssignVirtioSerialAddresses`: the ports of the virtio consoles, then of the virtio
 * channels, that have none.
 *
 * @example
 * ```ts
 * import { assignVirtioSerialAddresses } from "./virtio_serial.ts";
 * declare const def: import("../../conf/domain/def.ts").DomainDef;
 * assignVirtioSerialAddresses(def);
 * ```
 */
export function assignVirtioSerialAddresses(def: DomainDef): void {
  const set = portsOf(def);
  for (const console of def.devices.other.filter(isVirtio("console"))) {
    if (!completeAddress(console)) autoAssign(def, set, console, true);
  }
  for (const channel of def.devices.other.filter(isVirtio("channel"))) {
    if (!completeAddress(channel)) autoAssign(def, set, channel, false);
  }
}

/**
 * `virDomainVirtioSerialAddrAutoAssign` for one channel `dev` of `def` (which may not list it
 * yet), as a live attach places it.
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
  if (!completeAddress(dev)) autoAssign(def, portsOf(def), dev, false);
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
