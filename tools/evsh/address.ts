/**
 * virsh's device addresses on the command line (`virshAddressParse`, `virshAddressFormat`):
 * `pci:D:B:S.F`, `ccw:C.S.D` in hexadecimal, `scsi|ide|sata:C.B.U` and `usb:B.P` in decimal,
 * each number followed by any one separator, as virsh's `strtoul` chain reads them.
 * @module
 */

/** An address type of `virshAddressType`. */
export type AddressType = "pci" | "scsi" | "ide" | "ccw" | "usb" | "sata";

/** A parsed address: its type and numbers in the order written. */
export interface VirshAddress {
  type: AddressType;
  fields: bigint[];
}

const LAYOUT: Record<AddressType, { base: 10 | 16; max: bigint[] }> = {
  pci: { base: 16, max: [0xffffffffn, 0xffffffffn, 0xffffffffn, 0xffffffffn] },
  scsi: { base: 10, max: [0xffffffffn, 0xffffffffn, (1n << 64n) - 1n] },
  ide: { base: 10, max: [0xffffffffn, 0xffffffffn, (1n << 64n) - 1n] },
  sata: { base: 10, max: [0xffffffffn, 0xffffffffn, (1n << 64n) - 1n] },
  ccw: { base: 16, max: [0xffffffffn, 0xffffffffn, 0xffffffffn] },
  usb: { base: 10, max: [0xffffffffn, 0xffffffffn] },
};

/**
 * `virshAddressParse`: undefined where virsh fails.
 *
 * @example
 * ```ts
 * import { parseAddress } from "./address.ts";
 * parseAddress("scsi:0.0.1")?.fields; // [0n, 0n, 1n]
 * parseAddress("x:1"); // undefined
 * ```
 */
export function parseAddress(str: string): VirshAddress | undefined {
  const colon = str.indexOf(":");
  if (colon < 0) return undefined;
  const type = str.slice(0, colon) as AddressType;
  if (!Object.hasOwn(LAYOUT, type)) return undefined;
  const { base, max } = LAYOUT[type];
  const digits = base === 16 ? "(?:0[xX])?([0-9a-fA-F]+)" : "()([0-9]+)";
  const re = new RegExp(`^[ \\t\\n\\v\\f\\r]*\\+?${digits}`);
  const fields: bigint[] = [];
  // Each number starts one character after the end of the one before (or of the type).
  let at = colon + 1;
  for (const limit of max) {
    if (at > str.length) return undefined;
    const m = re.exec(str.slice(at));
    if (!m) return undefined;
    const text = base === 16 ? m[1] : m[2];
    const v = base === 16 ? BigInt(`0x${text}`) : BigInt(text);
    if (v > limit) return undefined;
    fields.push(v);
    at += m[0].length + 1;
  }
  return { type, fields };
}

function hex(n: bigint, width: number): string {
  return n.toString(16).padStart(width, "0");
}

/**
 * `virshAddressFormat`: the `<address>` element, with `multifunction='on'` for PCI when asked.
 *
 * @example
 * ```ts
 * import { formatAddress, parseAddress } from "./address.ts";
 * formatAddress(parseAddress("usb:1.2")!, false); // "<address type='usb' bus='1' port='2'/>"
 * ```
 */
export function formatAddress(a: VirshAddress, multifunction: boolean): string {
  const f = a.fields;
  switch (a.type) {
    case "pci":
      return `<address type='pci' domain='0x${hex(f[0], 4)}' bus='0x${hex(f[1], 2)}' ` +
        `slot='0x${hex(f[2], 2)}' function='0x${hex(f[3], 1)}'` +
        `${multifunction ? " multifunction='on'" : ""}/>`;
    case "ccw":
      return `<address type='ccw' cssid='0x${hex(f[0], 2)}' ssid='0x${hex(f[1], 1)}' ` +
        `devno='0x${hex(f[2], 4)}'/>`;
    case "usb":
      return `<address type='usb' bus='${f[0]}' port='${f[1]}'/>`;
    default:
      return `<address type='drive' controller='${f[0]}' bus='${f[1]}' unit='${f[2]}'/>`;
  }
}
