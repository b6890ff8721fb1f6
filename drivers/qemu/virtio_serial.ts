/**
 * virtio-serial channels as libvirt places them: a `<controller type='virtio-serial'>` for every
 * controller a virtio channel names (`virDomainDefMaybeAddVirtioSerialController`), and each
 * channel without an address on the first free port of controller 0, from port 1
 * (`virDomainVirtioSerialAddrAutoAssign`; port 0 is a console's).
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { child, element, type XmlElement } from "../../util/xml/mod.ts";
import { insertDevice } from "./default_devices.ts";

const isVirtioChannel = (d: XmlElement) =>
  d.name === "channel" && child(d, "target")?.attributes.type === "virtio";

/**
 * Adds the virtio-serial controllers the definition's virtio channels need, then gives each
 * channel its port.
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
  for (const channel of channels) {
    const a = child(channel, "address")?.attributes;
    const index = a?.type === "virtio-serial" ? String(Number(a.controller ?? 0)) : "0";
    const exists = def.devices.other.some((d) =>
      d.name === "controller" && d.attributes.type === "virtio-serial" &&
      (d.attributes.index ?? "0") === index
    );
    if (!exists) insertDevice(def, element("controller", { type: "virtio-serial", index }));
  }
  for (const channel of channels) assignVirtioSerialPort(def, channel);
}

/**
 * `virDomainVirtioSerialAddrAutoAssign` for one channel `dev` of `def` (which may not list it
 * yet): the first port of controller 0 from 1 that no device of `def` holds.
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
  if (child(dev, "address")) return;
  const used = new Set(
    def.devices.other.map((d) => child(d, "address")?.attributes)
      .filter((a) => a?.type === "virtio-serial" && (a.controller ?? "0") === "0")
      .map((a) => Number(a!.port)),
  );
  let port = 1;
  while (used.has(port)) port++;
  dev.children.push(
    element("address", { type: "virtio-serial", controller: "0", bus: "0", port: String(port) }),
  );
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
