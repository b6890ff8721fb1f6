/**
 * PCI addresses of devices that have none, as libvirt 9.0's QEMU driver assigns them for x86
 * (`qemuDomainAssignPCIAddresses`): a set of the buses the PCI controllers give
 * (pci_address_set.ts), the addresses the XML names reserved, the chipset's own slots (PIIX3's
 * slot 1, the primary video at slot 2 on i440fx; q35's 00:1f, SATA at 00:1f.2, the primary
 * video at 00:01.0, USB2 at 00:1d, a DMI-to-PCI bridge at 00:1e, ICH9 audio at 00:1b), then
 * the next free slot for each device in libvirt's order. A first, dry pass finds the controllers
 * the devices lack (a `pci-bridge` on i440fx, keeping one slot spare; on q35 a `pcie-root-port`
 * per PCI Express device, a `pcie-to-pci-bridge` for conventional PCI ones, one spare root port
 * for hotplug); they are added, then every address is assigned. Last, the PCI controllers get
 * their defaults: QEMU model names, chassis and port numbers.
 *
 * @module
 */
import type { DomainDef } from "../../conf/domain/def.ts";
import { VirError } from "../../util/errors.ts";
import { child, element, type XmlElement } from "../../util/xml/mod.ts";
import { insertDevice } from "./default_devices.ts";
import { CONNECT, CONTROLLER_CONNECT, type PciAddr, PciAddressSet } from "./pci_address_set.ts";

/** Where a device keeps its `<address>`: a NIC in `extra`, any other in its children. */
interface Holder {
  children: XmlElement["children"];
}

/** A device that may need an address, and what it plugs in as. */
interface Endpoint extends Holder {
  flags: number;
  /** A USB2 controller's function, on the slot its companions share. */
  usb2?: { index: string; fn: number; multi: boolean };
}

const addressOf = (e: Holder) =>
  e.children.find((c): c is XmlElement => c.type === "element" && c.name === "address");

/**
 * Whether a device has its address: one of another type, or a PCI one that is not empty
 * (virDeviceInfoPCIAddressIsWanted: an `<address type='pci'/>` of domain, bus and slot 0 asks
 * for one).
 */
const placed = (e: Holder) => {
  const a = addressOf(e);
  return a !== undefined && (a.attributes.type !== "pci" || pciAddrOf(e) !== undefined);
};

/** The `<address type='pci'>` a device has, as numbers. */
function pciAddrOf(e: Holder): (PciAddr & { multi?: string }) | undefined {
  const a = addressOf(e)?.attributes;
  if (a?.type !== "pci" || !(Number(a.domain ?? 0) || Number(a.bus ?? 0) || Number(a.slot ?? 0))) {
    return undefined;
  }
  return {
    bus: Number(a.bus ?? 0),
    slot: Number(a.slot ?? 0),
    function: Number(a.function ?? 0),
    multi: a.multifunction,
  };
}

function setAddress(e: Holder, a: PciAddr, multi?: boolean): void {
  const hex = (n: number, w: number) => `0x${n.toString(16).padStart(w, "0")}`;
  // An empty address asking for one keeps its multifunction switch.
  const wanted = addressOf(e);
  if (wanted) e.children.splice(e.children.indexOf(wanted), 1);
  const given = wanted?.attributes.multifunction;
  e.children.push(element("address", {
    type: "pci",
    domain: "0x0000",
    bus: hex(a.bus, 2),
    slot: hex(a.slot, 2),
    function: hex(a.function, 1),
    multifunction: given ?? (multi ? "on" : undefined),
  }));
}

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
export const PCIE_NICS: ReadonlySet<string> = new Set([
  "virtio",
  "virtio-non-transitional",
  "e1000e",
]);
/** The `<memory>` models that are virtio PCI devices. */
const VIRTIO_MEMORY: ReadonlySet<string> = new Set(["virtio-mem", "virtio-pmem"]);
/** The sound cards that are PCI devices (ISA, USB and the PC speaker are not). */
const PCI_SOUNDS: ReadonlySet<string> = new Set(["es1370", "ac97", "ich6", "ich9"]);
/** The USB2 (EHCI and UHCI companion) models, and the function each takes on their slot. */
const USB2_FUNCTIONS: Record<string, { fn: number; multi: boolean }> = {
  "ich9-ehci1": { fn: 7, multi: false },
  "ich9-uhci1": { fn: 0, multi: true },
  "ich9-uhci2": { fn: 1, multi: false },
  "ich9-uhci3": { fn: 2, multi: false },
};
/** The USB models that are PCI Express devices (the other USB controllers are PCI). */
const PCIE_USB: ReadonlySet<string> = new Set(["nec-xhci", "qemu-xhci"]);

/**
 * The connection flags of each kind of device (qemuDomainDeviceCalculatePCIConnectFlags), on a
 * guest whose root is PCI Express (`pcie`) or not. QEMU 7.2 has transitional virtio devices, so
 * virtio devices are PCI Express but the transitional ones.
 */
function connectFlags(pcie: boolean) {
  const pci = CONNECT.PCI_DEVICE | CONNECT.AUTOASSIGN;
  const express = pcie ? CONNECT.PCIE_DEVICE | CONNECT.AUTOASSIGN : pci;
  const virtio = (d: XmlElement, model = d.attributes.model) =>
    model === "virtio-transitional" ? pci : express;
  return { pci, express, virtio };
}

/** The non-PCI controllers that are PCI devices of their own, and what they plug in as. */
function controllerFlags(d: XmlElement, f: ReturnType<typeof connectFlags>): number {
  const { type, model, index = "0" } = d.attributes;
  switch (type) {
    case "usb":
      return model === "none" ? 0 : PCIE_USB.has(model ?? "") ? f.express : f.pci;
    case "ide":
      // The first IDE controller is the PIIX3's, placed with the chipset.
      return Number(index) === 0 ? 0 : f.pci;
    case "sata":
      return f.pci;
    case "scsi":
      if (model === "ncr53c90") return 0;
      return model === "virtio-scsi" || model === "virtio-non-transitional" ||
          model === "virtio-transitional"
        ? f.virtio(d)
        : f.pci;
    case "virtio-serial":
      return f.virtio(d);
    default:
      // The floppy controller is behind the ISA bridge, CCID a USB device.
      return 0;
  }
}

/** The devices with a PCI address (given or to get), in libvirt's assignment order. */
function endpoints(def: DomainDef, pcie: boolean): Endpoint[] {
  const f = connectFlags(pcie);
  const other = def.devices.other;
  const of = (name: string, flags: (d: XmlElement) => number) =>
    other.filter((d) => d.name === name).map((d) => ({ children: d.children, flags: flags(d) }))
      .filter((e) => e.flags);
  const target = (d: XmlElement) => child(d, "target")?.attributes;
  const out: Endpoint[] = of("controller", (d) => {
    const m = d.attributes.model ?? "";
    return d.attributes.type === "pci" ? CONTROLLER_CONNECT[m] ?? 0 : 0;
  });
  out.push(...of("filesystem", (d) => f.virtio(d)));
  out.push(
    // A hostdev NIC is placed with the host devices; a USB NIC is no PCI device.
    ...def.devices.interfaces.filter((n) => n.type !== "hostdev" && n.model !== "usb-net")
      .map((n) => ({ children: n.extra, flags: PCIE_NICS.has(n.model ?? "") ? f.express : f.pci })),
  );
  out.push(...of("sound", (d) => PCI_SOUNDS.has(d.attributes.model) ? f.pci : 0));
  out.push(
    ...other.filter((d) => d.name === "controller" && d.attributes.type !== "pci").flatMap((d) => {
      const flags = controllerFlags(d, f);
      const usb2 = d.attributes.type === "usb" && USB2_FUNCTIONS[d.attributes.model ?? ""];
      if (!flags) return [];
      return [{
        children: d.children,
        flags,
        usb2: usb2 ? { index: d.attributes.index ?? "0", ...usb2 } : undefined,
      }];
    }),
  );
  out.push(...of("disk", (d) => target(d)?.bus === "virtio" ? f.virtio(d) : 0));
  out.push(
    ...def.devices.interfaces
      .filter((n) =>
        n.type === "hostdev" && child(n.hostdevSource, "address")?.attributes.type === "pci"
      )
      .map((n) => ({ children: n.extra, flags: f.express })),
    // A PCI host device is taken as PCI Express, as libvirt does for one it cannot read and
    // for every mediated device; a vhost-scsi host follows virtio's rule.
    ...of("hostdev", (d) => {
      const { mode = "subsystem", type, model } = d.attributes;
      if (mode !== "subsystem") return 0;
      if (type === "pci" || (type === "mdev" && model === "vfio-pci")) return f.express;
      return type === "scsi_host" ? f.virtio(d) : 0;
    }),
  );
  out.push(...of("memballoon", (d) => d.attributes.model?.startsWith("virtio") ? f.virtio(d) : 0));
  out.push(...of("rng", (d) => d.attributes.model?.startsWith("virtio") ? f.virtio(d) : 0));
  out.push(...of("watchdog", (d) => d.attributes.model === "i6300esb" ? f.pci : 0));
  out.push(...of("video", (d) => {
    const type = child(d, "model")?.attributes.type;
    if (type === "none" || type === "ramfb") return 0;
    return type === "virtio" ? f.virtio(d) : f.pci;
  }));
  out.push(...of("shmem", () => f.pci));
  out.push(...of("input", (d) => d.attributes.bus === "virtio" ? f.virtio(d) : 0));
  out.push(...of("serial", (d) => target(d)?.type === "pci-serial" ? f.pci : 0));
  // A virtio IOMMU is integrated: on the root bus, which takes it though not auto-assigning.
  out.push(
    ...of("iommu", (d) => d.attributes.model === "virtio" ? f.virtio(d) | CONNECT.INTEGRATED : 0),
  );
  out.push(...of("vsock", (d) => f.virtio(d)));
  out.push(...of("memory", (d) => VIRTIO_MEMORY.has(d.attributes.model) ? f.virtio(d) : 0));
  return out;
}

const pciControllers = (def: DomainDef) =>
  def.devices.other.filter((d) => d.name === "controller" && d.attributes.type === "pci");

const isRoot = (model?: string) => model === "pci-root" || model === "pcie-root";

/** The primary video, when it takes a PCI slot. */
function primaryVideo(def: DomainDef): XmlElement | undefined {
  const video = def.devices.other.find((d) => d.name === "video");
  const type = video && child(video, "model")?.attributes.type;
  return type === "none" || type === "ramfb" ? undefined : video;
}

/** The buses of `def`'s PCI controllers, and the addresses its devices name reserved. */
function createSet(def: DomainDef, nbuses: number, dryRun: boolean, pcie: boolean) {
  const models: string[] = [];
  const hotplug: boolean[] = [];
  for (const c of pciControllers(def)) {
    const i = Number(c.attributes.index ?? 0);
    models[i] = c.attributes.model ?? "";
    hotplug[i] = child(c, "target")?.attributes.hotplug !== "off";
  }
  models.length = nbuses;
  models[0] ??= "pci-root";
  const fill = pcie ? "pcie-root-port" : "pci-bridge";
  for (let i = 1; i < nbuses; i++) models[i] ??= fill;
  const set = new PciAddressSet(models, dryRun, hotplug);
  const all = endpoints(def, pcie);
  const known = new Map(all.map((e) => [e.children, e.flags]));
  for (const dev of holders(def)) {
    const a = pciAddrOf(dev);
    if (!a || piix3Builtin(dev, a)) continue;
    // A device libvirt would not address is taken as a PCI device (validation refuses it).
    set.reserve(a, known.get(dev.children) || CONNECT.PCI_DEVICE, true);
  }
  return set;
}

/**
 * Every device that may have an address, as virDomainDeviceInfoIterate visits them: the first
 * console of a serial port is that port's view, not a device of its own.
 */
function holders(def: DomainDef): Holder[] {
  const mirror = def.devices.other.find((d) => d.name === "console");
  const skip = mirror && child(mirror, "target")?.attributes.type === "serial" ? mirror : undefined;
  return [
    ...def.devices.other.filter((d) => d !== skip),
    ...def.devices.interfaces.map((n) => ({ children: n.extra })),
  ];
}

/** The PIIX3's IDE (00:01.1) and USB (00:01.2) controllers, reserved with the chipset. */
function piix3Builtin(dev: Holder, a: PciAddr): boolean {
  const d = dev as XmlElement;
  if (d.name !== "controller" || a.bus !== 0 || a.slot !== 1) return false;
  const { type, model, index = "0" } = d.attributes;
  if (Number(index) !== 0) return false;
  return (type === "ide" && a.function === 1) ||
    (type === "usb" && model === "piix3-uhci" && a.function === 2);
}

const internal = (message: string) => VirError.report("QEMU", "INTERNAL_ERROR", message);

/**
 * Places a chipset device at its fixed address (refusing another one it names) and, unless
 * `reserve` is false, reserves it.
 */
function fixed(
  set: PciAddressSet,
  dev: XmlElement | undefined,
  at: PciAddr,
  error: string,
  reserve = true,
): void {
  if (!dev) return;
  const a = pciAddrOf(dev);
  if (a && (a.bus !== at.bus || a.slot !== at.slot || a.function !== at.function)) {
    throw internal(error);
  }
  if (!a) setAddress(dev, at);
  if (reserve) set.reserve(at, CONNECT.AUTOASSIGN | CONNECT.PCI_DEVICE, true);
}

/** qemuDomainValidateDevicePCISlotsPIIX3 and …Q35: the chipset's own slots. */
function chipset(def: DomainDef, set: PciAddressSet, q35: boolean, pcie: boolean): void {
  const controllers = def.devices.other.filter((d) => d.name === "controller");
  const first = (d: XmlElement) => Number(d.attributes.index ?? 0) === 0;
  const find = (type: string, ok: (d: XmlElement) => boolean) =>
    controllers.find((d) => d.attributes.type === type && ok(d));
  const fn = (slot: number, f: number) => ({ bus: 0, slot, function: f });
  let flags: number;
  let videoSlot: PciAddr;
  if (!q35) {
    flags = CONNECT.AUTOASSIGN | CONNECT.PCI_DEVICE;
    fixed(
      set,
      find("ide", first),
      fn(1, 1),
      "Primary IDE controller must have PCI address 0:0:1.1",
    );
    fixed(
      set,
      find("usb", (d) => first(d) && d.attributes.model === "piix3-uhci"),
      fn(1, 2),
      "PIIX3 USB controller at index 0 must have PCI address 0:0:1.2",
    );
    set.reserve(fn(1, 0), flags, true);
    set.reserve(fn(1, 3), flags, true);
    videoSlot = fn(2, 0);
  } else {
    flags = CONNECT.PCIE_DEVICE;
    for (const cont of controllers) {
      const { type, model } = cont.attributes;
      if (type === "sata" && first(cont)) {
        fixed(
          set,
          cont,
          fn(0x1f, 2),
          "Primary SATA controller must have PCI address 0:0:1f.2",
          false,
        );
      } else if (type === "usb" && model === "ich9-uhci1" && !placed(cont)) {
        const at = [fn(0x1d, 0), fn(0x1a, 0)].find((a) => !set.slotInUse(a));
        if (at) {
          set.reserve(at, flags, true);
          setAddress(cont, at, true);
        }
      } else if (type === "pci" && model === "dmi-to-pci-bridge" && !placed(cont)) {
        if (!set.slotInUse(fn(0x1e, 0))) {
          set.reserve(fn(0x1e, 0), flags, true);
          setAddress(cont, fn(0x1e, 0));
        }
      }
    }
    set.reserve(fn(0x1f, 0), flags, true);
    set.reserve(fn(0x1f, 3), flags, true);
    videoSlot = fn(1, 0);
  }
  const video = primaryVideo(def);
  if (video && !placed(video)) {
    set.validate(videoSlot, flags, true);
    if (set.slotInUse(videoSlot)) {
      const flagsOf = endpoints(def, pcie).find((e) => e.children === video.children)!.flags;
      place(set, video, set.reserveNext(flagsOf));
    } else {
      set.reserve(videoSlot, flags, true);
      // Stored on the dry run too, as the chipset's other fixed addresses.
      setAddress(video, videoSlot);
    }
  }
  if (!q35) return;
  // Real q35 hardware has its ICH9 HD audio at 00:1b.0.
  const hda = def.devices.other.find((d) =>
    d.name === "sound" && d.attributes.model === "ich9" && !placed(d)
  );
  if (hda && !set.slotInUse(fn(0x1b, 0))) {
    set.reserve(fn(0x1b, 0), flags, true);
    setAddress(hda, fn(0x1b, 0));
  }
}

/** Stores an address the set gave, but on a dry run (which only counts buses). */
function place(set: PciAddressSet, dev: Holder, a: PciAddr, multi?: boolean): void {
  if (!set.dryRun) setAddress(dev, a, multi);
}

/** qemuDomainAssignDevicePCISlots: the next free address of each device that has none. */
function assignSlots(def: DomainDef, set: PciAddressSet, pcie: boolean): void {
  for (const dev of endpoints(def, pcie)) {
    if (placed(dev)) continue;
    if (!dev.usb2) {
      place(set, dev, set.reserveNext(dev.flags));
      continue;
    }
    // USB2 companions of one index share a slot, each at its function.
    const { index, fn, multi } = dev.usb2;
    const mate = def.devices.other.find((d) =>
      d.name === "controller" && d.attributes.type === "usb" &&
      (d.attributes.index ?? "0") === index && USB2_FUNCTIONS[d.attributes.model ?? ""] &&
      pciAddrOf(d)
    );
    const at = mate ? { ...pciAddrOf(mate)!, function: fn } : undefined;
    if (at) set.reserve(at, dev.flags, true);
    place(set, dev, at ?? set.reserveNext(dev.flags, fn), multi);
  }
}

/**
 * Gives the devices that need one a PCI address, adding the PCI controllers they need but for
 * a device plugged into a running domain (`live`), which gets a free slot or libvirt's "No more
 * available PCI slots".
 *
 * @example
 * ```ts
 * import { assignPciAddresses } from "./pci_address.ts";
 * import type { DomainDef } from "../../conf/domain/def.ts";
 * declare const def: DomainDef;
 * assignPciAddresses(def); // after the default devices were added
 * ```
 */
export function assignPciAddresses(def: DomainDef, live = false): void {
  const q35 = /^pc-q35|^q35$/.test(def.os.machine ?? "");
  const roots = pciControllers(def).map((c) => c.attributes.model);
  const pcie = roots.includes("pcie-root");
  const maxIdx = Math.max(-1, ...pciControllers(def).map((c) => Number(c.attributes.index ?? 0)));
  let nbuses = maxIdx + 1;
  // A running domain's buses are what they are (qemuDomainEnsurePCIAddress: no dry run).
  if (nbuses > 0 && !live) {
    // The dry run: which buses the devices need.
    const dry = createSet(def, nbuses, true, pcie);
    chipset(def, dry, q35, pcie);
    // One slot kept for a future pci-bridge, on a guest with pci-root.
    if (roots.includes("pci-root") && !dry.fullyReserved()) {
      dry.reserveNext(CONNECT.AUTOASSIGN | CONNECT.PCI_DEVICE);
    }
    assignSlots(def, dry, pcie);
    // A guest whose PCIe controllers libvirt adds gets one more root port, for hotplug.
    if (maxIdx <= 0 && dry.buses.length > maxIdx + 1 && pcie) {
      dry.reserveNext(CONNECT.AUTOASSIGN | CONNECT.PCIE_DEVICE);
    }
    for (let i = 1; i < dry.buses.length; i++) {
      if (pciControllers(def).some((c) => Number(c.attributes.index ?? 0) === i)) continue;
      const model = dry.buses[i].model;
      // Appended after every controller, as virDomainDefAddController does.
      insertDevice(def, element("controller", { type: "pci", index: String(i), model }));
      if (!isRoot(model)) dry.reserveNext(CONTROLLER_CONNECT[model]);
    }
    nbuses = dry.buses.length;
  }
  const set = createSet(def, nbuses, false, pcie);
  chipset(def, set, q35, pcie);
  assignSlots(def, set, pcie);
  setAllMulti(def, set);
  for (const c of pciControllers(def)) controllerDefaults(def, c);
}

/** virDomainPCIAddressSetAllMulti: function 0 of a slot whose other functions are in use. */
function setAllMulti(def: DomainDef, set: PciAddressSet): void {
  for (const dev of holders(def)) {
    const a = pciAddrOf(dev);
    if (a && a.function === 0 && a.multi === undefined && set.multifunction(a)) {
      addressOf(dev)!.attributes.multifunction = "on";
    }
  }
}

/** qemuDomainPCIControllerSetDefaultModelName: the QEMU device of each PCI controller model. */
const MODEL_NAMES: Record<string, string> = {
  "pci-bridge": "pci-bridge",
  "dmi-to-pci-bridge": "i82801b11-bridge",
  "pcie-to-pci-bridge": "pcie-pci-bridge",
  "pcie-root-port": "pcie-root-port",
  "pcie-switch-upstream-port": "x3130-upstream",
  "pcie-switch-downstream-port": "xio3130-downstream",
  "pci-expander-bus": "pxb",
  "pcie-expander-bus": "pxb-pcie",
};

/** The `<target>` attributes in the order libvirt writes them. */
const TARGET_ORDER = ["chassisNr", "chassis", "port", "busNr", "index", "hotplug"];

/**
 * The defaults qemuDomainAssignPCIAddresses gives a PCI controller once placed: its QEMU model
 * name, a bridge's chassis number, a port's chassis and port, an expander bus's bus number.
 */
function controllerDefaults(def: DomainDef, c: XmlElement): void {
  const { model = "", index = "0" } = c.attributes;
  const idx = Number(index);
  const a = pciAddrOf(c);
  const name = MODEL_NAMES[model];
  if (name && !child(c, "model")) c.children.unshift(element("model", { name }));
  const wanted: Record<string, string> = {};
  if (model === "pci-bridge") wanted.chassisNr = index;
  if (model === "pcie-root-port" && a) {
    wanted.chassis = index;
    wanted.port = `0x${((a.slot << 3) + a.function).toString(16)}`;
  }
  if (model === "pcie-switch-downstream-port" && a) {
    wanted.chassis = index;
    wanted.port = `0x${a.slot.toString(16)}`;
  }
  const target = child(c, "target");
  if (
    (model === "pci-expander-bus" || model === "pcie-expander-bus") && !target?.attributes.busNr
  ) {
    wanted.busNr = String(newBusNr(def, a?.bus ?? 0));
  }
  if (Object.keys(wanted).length) {
    const el = target ?? element("target", {});
    const merged = { ...wanted, ...el.attributes };
    el.attributes = Object.fromEntries(
      TARGET_ORDER.filter((k) => merged[k] !== undefined).map((k) => [k, merged[k]]),
    );
    if (!target) c.children.splice(child(c, "model") ? 1 : 0, 0, el);
  }
  if (model === "pci-bridge" && a && idx <= a.bus) {
    const hex = (n: number) => `0x${n.toString(16).padStart(2, "0")}`;
    throw VirError.report(
      "QEMU",
      "CONFIG_UNSUPPORTED",
      `PCI controller at index ${idx} (${hex(idx)}) has bus='${
        hex(a.bus)
      }', but index must be larger than bus`,
    );
  }
}

/** qemuDomainAddressFindNewBusNr: two below the lowest bus number given, if above 2. */
function newBusNr(def: DomainDef, bus: number): number {
  const given = pciControllers(def).map((c) => child(c, "target")?.attributes.busNr)
    .filter((n): n is string => n !== undefined).map(Number);
  const lowest = Math.min(256, ...given);
  if (lowest <= 2) {
    throw VirError.report(
      "QEMU",
      "CONFIG_UNSUPPORTED",
      `No free busNr lower than current lowest busNr is available to auto-assign to bus ${bus}. Must be manually assigned`,
    );
  }
  return lowest - 2;
}
