/**
 * PCI placement of a device plugged into a running q35 domain (libvirt's
 * `qemuDomainEnsurePCIAddress` there: a PCI Express endpoint takes an empty `pcie-root-port`, a
 * conventional PCI device a free slot of a `pcie-to-pci-bridge`),
 * and the PCI checks before a device is unplugged.
 *
 * @module
 */
import type { DomainDef } from "../../../conf/domain/def.ts";
import { VirError } from "../../../util/errors.ts";
import { child, element, type XmlElement } from "../../../util/xml/mod.ts";
import { isQ35 } from "../default_devices.ts";

/** Where a device keeps its `<address>`: a NIC in `extra`, any other in its children. */
export interface PciEndpoint {
  children: XmlElement["children"];
}

/**
 * On q35 a PCI Express endpoint without an address plugs into an empty `pcie-root-port`
 * (libvirt keeps one spare): the first port no device sits behind. None left is libvirt's
 * "No more available PCI slots".
 *
 * @example
 * ```ts
 * import { ensureQ35Port } from "./device_pci.ts";
 * declare const def: import("../../../conf/domain/def.ts").DomainDef;
 * declare const disk: import("../../../util/xml/mod.ts").XmlElement;
 * ensureQ35Port(def, disk); // disk gets <address type='pci' bus='0x0N' slot='0x00' …/>
 * ```
 */
export function ensureQ35Port(def: DomainDef, dev: PciEndpoint): void {
  if (!isQ35(def) || child(dev as XmlElement, "address")) return;
  const busy = busySlots(def);
  const port = pciControllers(def, "pcie-root-port").find((i) => !busy.has(`${i}:0`));
  if (port === undefined) throw noSlot();
  dev.children.push(slotAddress(port, 0));
}

/**
 * On q35 a conventional PCI device (an e1000) without an address takes the first free slot
 * (from 1) of a `pcie-to-pci-bridge`; a running domain gets no new bridge, so none is libvirt's
 * "No more available PCI slots".
 *
 * @example
 * ```ts
 * import { ensureQ35BridgeSlot } from "./device_pci.ts";
 * declare const def: import("../../../conf/domain/def.ts").DomainDef;
 * declare const nic: import("./device_pci.ts").PciEndpoint;
 * ensureQ35BridgeSlot(def, nic); // nic gets <address type='pci' bus='0x02' slot='0x02' …/>
 * ```
 */
export function ensureQ35BridgeSlot(def: DomainDef, dev: PciEndpoint): void {
  if (!isQ35(def) || child(dev as XmlElement, "address")) return;
  const busy = busySlots(def);
  for (const bridge of pciControllers(def, "pcie-to-pci-bridge")) {
    for (let slot = 1; slot <= 31; slot++) {
      if (busy.has(`${bridge}:${slot}`)) continue;
      dev.children.push(slotAddress(bridge, slot));
      return;
    }
  }
  throw noSlot();
}

const noSlot = () => VirError.report("QEMU", "INTERNAL_ERROR", "No more available PCI slots");

/** The indexes of the PCI controllers of `model`, in definition order. */
function pciControllers(def: DomainDef, model: string): number[] {
  return def.devices.other
    .filter((d) => d.name === "controller" && d.attributes.model === model)
    .map((d) => Number(d.attributes.index));
}

/** `bus:slot` of every PCI address a device of `def` takes, NICs included. */
function busySlots(def: DomainDef): Set<string> {
  return new Set(
    def.devices.other.concat(
      def.devices.interfaces.map((n) => ({ children: n.extra } as XmlElement)),
    )
      .map((d) => child(d, "address")?.attributes)
      .filter((a) => a?.type === "pci")
      .map((a) => `${Number(a!.bus)}:${Number(a!.slot)}`),
  );
}

function slotAddress(bus: number, slot: number): XmlElement {
  const hex = (n: number) => `0x${n.toString(16).padStart(2, "0")}`;
  return element("address", {
    type: "pci",
    domain: "0x0000",
    bus: hex(bus),
    slot: hex(slot),
    function: "0x0",
  });
}

/**
 * A PCI address as libvirt writes it (`VIR_PCI_DEVICE_ADDRESS_FMT`,
 * `virPCIDeviceAddressAsString`).
 *
 * @example
 * ```ts
 * import { pciText } from "./device_pci.ts";
 * pciText({ domain: "0x0000", bus: "0x00", slot: "0x03", function: "0x0" }); // "0000:00:03.0"
 * ```
 */
export function pciText(a: Record<string, string>): string {
  const hex = (v: string | undefined, w: number) => Number(v ?? 0).toString(16).padStart(w, "0");
  return `${hex(a.domain, 4)}:${hex(a.bus, 2)}:${hex(a.slot, 2)}.${Number(a.function ?? 0)}`;
}

/** Every PCI `<address>` of a definition's devices, NICs included. */
function pciAddresses(def: DomainDef): Record<string, string>[] {
  return def.devices.other.map((d) => child(d, "address")?.attributes)
    .concat(
      def.devices.interfaces.map((n) => n.extra.find((e) => e.name === "address")?.attributes),
    )
    .filter((a): a is Record<string, string> => a?.type === "pci");
}

/**
 * The check `qemuDomainDetachDeviceLive` makes of a device at PCI address `a` before it asks
 * QEMU to unplug it: no other function shares its slot. (Its other check, a bus controller
 * that allows hotplug, cannot fail here: the start refuses `<target hotplug='off'/>`.)
 *
 * @example
 * ```ts
 * import { checkPciUnplug } from "./device_pci.ts";
 * declare const def: import("../../../conf/domain/def.ts").DomainDef;
 * checkPciUnplug(def, "net", { type: "pci", domain: "0x0000", bus: "0x00", slot: "0x03", function: "0x0" });
 * ```
 */
export function checkPciUnplug(def: DomainDef, kind: string, a: Record<string, string>): void {
  const same = (b: Record<string, string>, key: string) =>
    Number(b[key] ?? 0) === Number(a[key] ?? 0);
  const multi = pciAddresses(def).some((b) =>
    same(b, "domain") && same(b, "bus") && same(b, "slot") && !same(b, "function")
  );
  if (multi) {
    throw VirError.report(
      "QEMU",
      "OPERATION_FAILED",
      `cannot hot unplug ${kind} device with multifunction PCI guest address: ${pciText(a)}`,
    );
  }
}
