/**
 * A rule attribute as the ebiptables driver prints it into a command (`printDataType` of
 * `nwfilter_ebiptables_driver.c`): a variable's value as given, an address or mask as the
 * parser normalised it, a number in decimal or, where libvirt asks for it, hex.
 *
 * @module
 */
import type { NWFilterItem } from "../../../conf/nwfilter/mod.ts";

/** The values of a rule's variable accesses for one combination, by access text. */
export type Combo = ReadonlyMap<string, string>;

/**
 * The item's text: addresses, masks, MACs, names.
 *
 * @example
 * ```ts
 * import { itemText } from "./item_text.ts";
 * itemText({ text: "$IP", num: 0, variable: true, neg: false }, new Map([["$IP", "10.0.0.1"]]));
 * // "10.0.0.1"
 * ```
 */
export function itemText(item: NWFilterItem, combo: Combo): string {
  return item.variable ? combo.get(item.text)! : item.text;
}

/**
 * The item's number in decimal (`%d`, `%u`).
 *
 * @example
 * ```ts
 * import { itemDec } from "./item_text.ts";
 * itemDec({ text: "0x80", num: 128, variable: false, neg: false }, new Map()); // "128"
 * ```
 */
export function itemDec(item: NWFilterItem, combo: Combo): string {
  return item.variable ? combo.get(item.text)! : String(item.num);
}

/**
 * The item's number in hex (`printDataTypeAsHex`, `0x%x`).
 *
 * @example
 * ```ts
 * import { itemHex } from "./item_text.ts";
 * itemHex({ text: "arp", num: 0x806, variable: false, neg: false }, new Map()); // "0x806"
 * ```
 */
export function itemHex(item: NWFilterItem, combo: Combo): string {
  return item.variable ? combo.get(item.text)! : `0x${item.num.toString(16)}`;
}
