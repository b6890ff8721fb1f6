/**
 * PCI addresses of devices that have none, as libvirt 9.0's QEMU driver assigns them for x86
 * (`qemuDomainAssignPCIAddresses`, for the devices edgevirt knows).
 *
 * - i440fx: slot 1 is the PIIX3 (IDE at function 1, the USB controller at function 2), slot 2
 *   is kept for the primary video, every other endpoint takes the next free slot of bus 0.
 * - q35: SATA is 00:1f.2, the primary video 00:01.0, and every other endpoint gets a
 *   `pcie-root-port` of its own (chassis = index, port = slot × 8 + function, eight ports per
 *   multifunction slot from the first free slot), plus one spare port for hotplug.
 *
 * Endpoints are served in libvirt's order: NICs, controllers, virtio disks, the memballoon,
 * virtio RNGs.
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { child, element, type XmlElement } from "../../util/xml/mod.ts";
import { insertDevice, isQ35 } from "./default_devices.ts";

function pciAddress(bus: number, slot: number, fn: number, multifunction?: boolean): XmlElement {
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

/** Where a device keeps its `<address>`: a NIC in `extra`, any other in its children. */
interface Endpoint {
  children: XmlElement["children"];
}

const addressOf = (e: Endpoint) =>
  e.children.find((c): c is XmlElement => c.type === "element" && c.name === "address");

const controllerOf = (def: DomainDef, type: string) =>
  def.devices.other.find((d) =>
    d.name === "controller" && d.attributes.type === type && (d.attributes.index ?? "0") === "0"
  );

/** NIC models QEMU plugs into PCI Express as they are (the rest need a PCI bridge on q35). */
const PCIE_NICS = new Set(["virtio", "e1000e"]);
/** Controller models that are PCI devices of their own. */
const PCI_CONTROLLERS: Record<string, (model?: string) => boolean> = {
  usb: (m) => m !== "none" && m !== "piix3-uhci",
  scsi: (m) => m === undefined || m === "virtio-scsi",
  "virtio-serial": () => true,
};

/** The endpoints without an address, in libvirt's assignment order. */
function endpoints(def: DomainDef, q35: boolean): Endpoint[] {
  const other = def.devices.other;
  const out: Endpoint[] = def.devices.interfaces
    .filter((n) => n.type !== "hostdev" && (!q35 || PCIE_NICS.has(n.model ?? "")))
    .map((n) => ({ children: n.extra }));
  out.push(
    ...other.filter((d) =>
      d.name === "controller" && PCI_CONTROLLERS[d.attributes.type]?.(d.attributes.model)
    ),
    ...other.filter((d) => d.name === "disk" && child(d, "target")?.attributes.bus === "virtio"),
    ...other.filter((d) => d.name === "memballoon" && d.attributes.model === "virtio"),
    ...other.filter((d) => d.name === "rng" && d.attributes.model === "virtio"),
  );
  return out.filter((e) => !addressOf(e));
}

/** The primary (first) video card, when it still needs an address. */
function primaryVideo(def: DomainDef): XmlElement | undefined {
  const video = def.devices.other.find((d) => d.name === "video");
  const model = video && child(video, "model")?.attributes.type;
  return video && model !== "none" && !addressOf(video) ? video : undefined;
}

/** Slots of bus 0 that explicit PCI addresses already take. */
function usedRootSlots(def: DomainDef): Set<number> {
  const used = new Set<number>();
  const all: Endpoint[] = [
    ...def.devices.other,
    ...def.devices.interfaces.map((n) => ({
      children: n.extra,
    })),
  ];
  for (const dev of all) {
    const a = addressOf(dev)?.attributes;
    if (a?.type === "pci" && Number(a.bus ?? 0) === 0) used.add(Number(a.slot));
  }
  return used;
}

/**
 * Gives the devices that need one a PCI address, adding q35's root ports.
 *
 * @example
 * ```ts
 * import { assignPciAddresses } from "./pci_address.ts";
 * import type { DomainDef } from "../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * assignPciAddresses(def); // after the default devices were added
 * ```
 */
export function assignPciAddresses(def: DomainDef): void {
  if (isQ35(def)) assignQ35(def);
  else assignI440fx(def);
}

function assignI440fx(def: DomainDef): void {
  const used = usedRootSlots(def);
  const piix3 = (type: string, fn: number) => {
    const c = controllerOf(def, type);
    const model = c?.attributes.model;
    const onPiix3 = type === "ide" || model === "piix3-uhci";
    if (c && onPiix3 && !addressOf(c)) c.children.push(pciAddress(0, 1, fn));
  };
  piix3("ide", 1);
  piix3("usb", 2);
  used.add(1);
  const video = primaryVideo(def);
  if (video && !used.has(2)) {
    video.children.push(pciAddress(0, 2, 0));
    used.add(2);
  }
  let slot = 2;
  for (const dev of endpoints(def, false)) {
    while (used.has(slot)) slot++;
    dev.children.push(pciAddress(0, slot, 0));
    used.add(slot);
  }
}

function assignQ35(def: DomainDef): void {
  const sata = controllerOf(def, "sata");
  if (sata && !addressOf(sata)) sata.children.push(pciAddress(0, 0x1f, 2));
  // A user's own root ports mean a user's own layout: leave it alone.
  const ports = def.devices.other.some((d) =>
    d.name === "controller" && d.attributes.model === "pcie-root-port"
  );
  const used = usedRootSlots(def);
  used.add(0x1f);
  const video = primaryVideo(def);
  if (video && !used.has(1)) {
    video.children.push(pciAddress(0, 1, 0));
    used.add(1);
  }
  if (ports) return;
  const devices = endpoints(def, true);
  if (!devices.length) return;
  let last = controllerOf(def, "pci")!;
  let slot = 0;
  for (let i = 1; i <= devices.length + 1; i++) {
    const fn = (i - 1) % 8;
    if (fn === 0) {
      slot++;
      while (used.has(slot)) slot++;
      used.add(slot);
    }
    const port = element("controller", { type: "pci", index: String(i), model: "pcie-root-port" }, [
      element("model", { name: "pcie-root-port" }),
      element("target", { chassis: String(i), port: `0x${(slot * 8 + fn).toString(16)}` }),
      pciAddress(0, slot, fn, fn === 0),
    ]);
    insertDevice(def, port, last);
    last = port;
  }
  devices.forEach((dev, i) => dev.children.push(pciAddress(i + 1, 0, 0)));
}
