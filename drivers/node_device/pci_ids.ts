/**
 * Vendor and product names of PCI devices from the pci.ids database, as libvirt gets them
 * through libpciaccess's `pci_get_strings` (which reads the same file): nothing when the host
 * has no database (then libvirt prints `<vendor id='0x8086'/>` without a name).
 *
 * @module
 */

/** Where Debian's libpciaccess looks for the database. */
export const PCI_IDS_PATH = "/usr/share/misc/pci.ids";

/** Names by vendor, and by `vendor:device`. */
export interface PciIds {
  vendors: Map<number, string>;
  devices: Map<string, string>;
}

const cache = new Map<string, PciIds | null>();

/** Reads and indexes a pci.ids file (vendor and device lines; the class section ends it). */
function load(path: string): PciIds | null {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch {
    return null;
  }
  const ids: PciIds = { vendors: new Map(), devices: new Map() };
  let vendor = -1;
  for (const line of text.split("\n")) {
    if (line.startsWith("C ")) break;
    const v = /^([0-9a-f]{4}) {2}(.*)$/.exec(line);
    if (v) {
      vendor = parseInt(v[1], 16);
      ids.vendors.set(vendor, v[2]);
      continue;
    }
    const d = /^\t([0-9a-f]{4}) {2}(.*)$/.exec(line);
    if (d && vendor >= 0) ids.devices.set(`${vendor}:${parseInt(d[1], 16)}`, d[2]);
  }
  return ids;
}

/**
 * The vendor and product names of `vendor:product`, each undefined when unknown.
 *
 * @example
 * ```ts
 * import { pciNames } from "./pci_ids.ts";
 * pciNames(0x8086, 0x1237, "/nonexistent"); // { vendor: undefined, product: undefined }
 * ```
 */
export function pciNames(
  vendor: number,
  product: number,
  path: string = PCI_IDS_PATH,
): { vendor?: string; product?: string } {
  if (!cache.has(path)) cache.set(path, load(path));
  const ids = cache.get(path);
  return {
    vendor: ids?.vendors.get(vendor),
    product: ids?.devices.get(`${vendor}:${product}`),
  };
}
