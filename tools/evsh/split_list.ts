/**
 * virsh's comma-separated option values (`vshStringToArray`).
 * @module
 */

/**
 * Splits on single commas; a doubled comma is a literal comma inside an item.
 *
 * @example
 * ```ts
 * import { splitList } from "./split_list.ts";
 * splitList("pci,net"); // ["pci", "net"]
 * splitList("a,,b,c"); // ["a,b", "c"]
 * ```
 */
export function splitList(text: string): string[] {
  const items: string[] = [];
  let item = "";
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== ",") item += text[i];
    else if (text[i + 1] === ",") item += text[++i];
    else {
      items.push(item);
      item = "";
    }
  }
  items.push(item);
  return items;
}
