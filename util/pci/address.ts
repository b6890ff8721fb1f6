/**
 * PCI addresses as sysfs names them (`0000:00:1f.2`, libvirt's `VIR_PCI_DEVICE_ADDRESS_FMT`).
 *
 * @module
 */

/** A PCI address (`virPCIDeviceAddress`). */
export interface PciAddress {
  /** The PCI domain (segment). */
  domain: number;
  /** The bus. */
  bus: number;
  /** The slot (device). */
  slot: number;
  /** The function. */
  function: number;
}

/**
 * `0000:00:1f.2` → its address, or undefined when it is none.
 *
 * @example
 * ```ts
 * import { parsePciName } from "./address.ts";
 * parsePciName("0000:00:1f.2"); // { domain: 0, bus: 0, slot: 31, function: 2 }
 * ```
 */
export function parsePciName(name: string): PciAddress | undefined {
  const m = /^([0-9a-fA-F]+):([0-9a-fA-F]+):([0-9a-fA-F]+)\.([0-9a-fA-F]+)$/.exec(name);
  if (!m) return undefined;
  const [domain, bus, slot, fn] = m.slice(1).map((h) => parseInt(h, 16));
  return { domain, bus, slot, function: fn };
}

/**
 * The sysfs name of an address (`virPCIDeviceAddressAsString`).
 *
 * @example
 * ```ts
 * import { pciName } from "./address.ts";
 * pciName({ domain: 0, bus: 0, slot: 31, function: 2 }); // "0000:00:1f.2"
 * ```
 */
export function pciName(a: PciAddress): string {
  const h = (n: number, w: number) => n.toString(16).padStart(w, "0");
  return `${h(a.domain, 4)}:${h(a.bus, 2)}:${h(a.slot, 2)}.${a.function.toString(16)}`;
}
