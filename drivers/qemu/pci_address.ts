/**
 * PCI addresses of devices that have none, as libvirt 9.0's QEMU driver assigns them for x86
 * (`qemuDomainAssignPCIAddresses`, for the devices edgevirt knows).
 *
 * - i440fx: slot 1 is the PIIX3 (IDE at function 1, the USB controller at function 2), slot 2
 *   is kept for the primary video, every other endpoint takes the next free slot of bus 0.
 * - q35: SATA is 00:1f.2, the primary video 00:01.0, every other PCI Express endpoint gets a
 *   `pcie-root-port` of its own (chassis = index, port = slot × 8 + function, eight ports per
 *   multifunction slot from the first free slot), a conventional PCI device (an e1000) a slot
 *   (from 1) of a `pcie-to-pci-bridge` in a root port, plus one spare port for hotplug.
 *
 * Endpoints are served in libvirt's order: filesystems, NICs, sound cards, controllers, virtio
 * disks, host devices (PCI, vfio-pci mediated and vhost-scsi ones, a hostdev NIC's first), the memballoon, virtio RNGs, the i6300esb watchdog, secondary videos, shared memory,
 * virtio inputs, virtio memory devices. On q35 an ICH9 sound card takes 00:1b.0 first, as the real chipset's.
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
  /** A conventional PCI device (a `pcie-to-pci-bridge` slot on q35), not PCI Express. */
  conventional?: boolean;
}

const addressOf = (e: Endpoint) =>
  e.children.find((c): c is XmlElement => c.type === "element" && c.name === "address");

const controllerOf = (def: DomainDef, type: string) =>
  def.devices.other.find((d) =>
    d.name === "controller" && d.attributes.type === type && (d.attributes.index ?? "0") === "0"
  );

/**
 * NIC models QEMU plugs into PCI Express as they are (the rest are conventional PCI devices,
 * behind a PCI bridge on q35).
 *
 * @example
 * ```ts
 * import { PCIE_NICS } from "./pci_address.ts";
 * PCIE_NICS.has("e1000"); // false
 * ```
 */
export const PCIE_NICS: ReadonlySet<string> = new Set(["virtio", "e1000e"]);
/** The `<memory>` models that are virtio PCI devices. */
const VIRTIO_MEMORY: ReadonlySet<string> = new Set(["virtio-mem", "virtio-pmem"]);
/**
 * The non-PCI controllers that are PCI devices of their own (qemuDomainAssignDevicePCISlots):
 * all but a USB controller of model none, the floppy controller (behind the ISA bridge), CCID
 * (a USB device), the first IDE controller (the PIIX3's) and the built-in NCR53C90 SCSI one.
 */
function pciController(d: XmlElement): boolean {
  const { type, model, index = "0" } = d.attributes;
  if (d.name !== "controller" || type === "pci" || type === "fdc" || type === "ccid") return false;
  if (type === "usb") return model !== "none";
  if (type === "ide") return Number(index) !== 0;
  return !(type === "scsi" && model === "ncr53c90");
}

/** The endpoints without an address, in libvirt's assignment order. */
function endpoints(def: DomainDef, q35: boolean): Endpoint[] {
  const other = def.devices.other;
  // A transitional virtio device is a conventional PCI device (qemuDomainDeviceCalculatePCIConnectFlags).
  const virtio = (d: XmlElement) => ({
    children: d.children,
    conventional: q35 && d.attributes.model === "virtio-transitional",
  });
  const out: Endpoint[] = other.filter((d) => d.name === "filesystem").map(virtio);
  out.push(
    ...def.devices.interfaces
      .filter((n) => n.type !== "hostdev")
      .map((n) => ({ children: n.extra, conventional: q35 && !PCIE_NICS.has(n.model ?? "") })),
  );
  out.push(
    ...pciSounds(def).map((d) => ({ children: d.children, conventional: q35 })),
    ...other.filter(pciController),
    ...other.filter((d) => d.name === "disk" && child(d, "target")?.attributes.bus === "virtio")
      .map(virtio),
    ...pciHostdevs(def, q35),
    ...other.filter((d) => d.name === "memballoon" && d.attributes.model === "virtio"),
    ...other.filter((d) => d.name === "rng" && d.attributes.model?.startsWith("virtio"))
      .map(virtio),
    ...other.filter((d) => d.name === "watchdog" && d.attributes.model === "i6300esb")
      .map((d) => ({ children: d.children, conventional: q35 })),
    // The secondary videos (the primary has its own slot); virtio GPUs are PCI Express. Then
    // the shared memory devices, conventional PCI devices.
    ...other.filter((d) => {
      const m = child(d, "model")?.attributes;
      return d.name === "video" && m?.primary !== "yes" && m?.type !== "none";
    }).map((d) => ({
      children: d.children,
      conventional: q35 && child(d, "model")?.attributes.type !== "virtio",
    })),
    ...other.filter((d) => d.name === "shmem").map((d) => ({
      children: d.children,
      conventional: q35,
    })),
    ...other.filter((d) => d.name === "input" && d.attributes.bus === "virtio"),
    // Last, the memory devices that are virtio PCI devices.
    ...other.filter((d) => d.name === "memory" && VIRTIO_MEMORY.has(d.attributes.model)),
  );
  return out.filter((e) => !addressOf(e));
}

/**
 * The host devices that are PCI devices in the guest, in libvirt's `def->hostdevs` order (a
 * hostdev NIC is added to it as its `<interface>` is parsed, before the `<hostdev>`s): PCI
 * devices, vfio-pci mediated devices and vhost-scsi hosts. On q35 a vhost-scsi host follows
 * virtio's rule (a transitional one is conventional PCI); a PCI device is taken as PCI Express,
 * as libvirt does for every mediated device and for a host device it cannot read.
 */
function pciHostdevs(def: DomainDef, q35: boolean): Endpoint[] {
  const nics = def.devices.interfaces
    .filter((n) =>
      n.type === "hostdev" && child(n.hostdevSource, "address")?.attributes.type === "pci"
    )
    .map((n) => ({ children: n.extra }));
  const hostdevs = def.devices.other.filter((d) => {
    const { mode = "subsystem", type, model } = d.attributes;
    return d.name === "hostdev" && mode === "subsystem" &&
      (type === "pci" || type === "scsi_host" || (type === "mdev" && model === "vfio-pci"));
  }).map((d) => ({
    children: d.children,
    conventional: q35 && d.attributes.model === "virtio-transitional",
  }));
  return [...nics, ...hostdevs];
}

/** The sound cards that are PCI devices (ISA, USB and the PC speaker are not). */
const PCI_SOUNDS: ReadonlySet<string> = new Set(["es1370", "ac97", "ich6", "ich9"]);

const pciSounds = (def: DomainDef) =>
  def.devices.other.filter((d) => d.name === "sound" && PCI_SOUNDS.has(d.attributes.model));

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
  // Real q35 hardware has its ICH9 HD audio at 00:1b.0: the first ICH9 card goes there if free.
  const hda = pciSounds(def).find((d) => d.attributes.model === "ich9" && !addressOf(d));
  if (hda && !used.has(0x1b)) {
    hda.children.push(pciAddress(0, 0x1b, 0));
    used.add(0x1b);
  }
  if (ports) return;
  const devices = endpoints(def, true);
  if (!devices.length) return;
  const models = q35Controllers(devices);
  // Then, as libvirt's second pass, addresses in index order: root ports on bus 0, each bridge
  // in the first root port still empty, the devices in order in the root ports left and the
  // bridges' slots.
  const emptyPorts: number[] = [];
  const bridges: { index: number; next: number }[] = [];
  let slot = 0;
  let fn = -1;
  models.forEach((model, i) => {
    const index = i + 1;
    let el: XmlElement;
    if (model === "pcie-root-port") {
      fn = (fn + 1) % 8;
      if (fn === 0) {
        slot++;
        while (used.has(slot)) slot++;
        used.add(slot);
      }
      el = element("controller", { type: "pci", index: String(index), model }, [
        element("model", { name: "pcie-root-port" }),
        element("target", { chassis: String(index), port: `0x${(slot * 8 + fn).toString(16)}` }),
        pciAddress(0, slot, fn, fn === 0),
      ]);
      emptyPorts.push(index);
    } else {
      el = element("controller", { type: "pci", index: String(index), model }, [
        element("model", { name: "pcie-pci-bridge" }),
        pciAddress(emptyPorts.shift()!, 0, 0),
      ]);
      bridges.push({ index, next: 1 });
    }
    // Appended after every controller, as virDomainDefAddController does.
    insertDevice(def, el);
  });
  for (const dev of devices) {
    if (!dev.conventional) {
      dev.children.push(pciAddress(emptyPorts.shift()!, 0, 0));
      continue;
    }
    const bridge = bridges.find((b) => b.next <= BRIDGE_LAST_SLOT)!;
    dev.children.push(pciAddress(bridge.index, bridge.next++, 0));
  }
}

/** The last slot of a `pcie-to-pci-bridge` (slot 0 is not hotpluggable: devices start at 1). */
const BRIDGE_LAST_SLOT = 31;

/**
 * libvirt's first (dry) pass on q35, `virDomainPCIAddressSetGrow`: the PCI controllers the
 * endpoints in order make it add, by index from 1: a root port for a PCI Express device, a root
 * port and a `pcie-to-pci-bridge` in it when a conventional PCI device finds no bridge slot
 * free, and at the end one empty root port for hotplug.
 */
function q35Controllers(devices: Endpoint[]): ("pcie-root-port" | "pcie-to-pci-bridge")[] {
  const models: ("pcie-root-port" | "pcie-to-pci-bridge")[] = [];
  let bridgeSlots = 0;
  for (const dev of devices) {
    if (!dev.conventional) {
      models.push("pcie-root-port");
      continue;
    }
    if (!bridgeSlots) {
      models.push("pcie-root-port", "pcie-to-pci-bridge");
      bridgeSlots = BRIDGE_LAST_SLOT;
    }
    bridgeSlots--;
  }
  models.push("pcie-root-port");
  return models;
}
