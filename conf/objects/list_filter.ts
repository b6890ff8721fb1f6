/**
 * libvirt's `MATCH(FLAG_A | FLAG_B)` list-filter idiom shared by the filters of every
 * `connectListAll*` call: a pair of opposite filter bits keeps everything when neither or both
 * are set, else only the objects whose property matches the set bit.
 *
 * @module
 */

/**
 * Whether an object passes one pair of opposite list filters.
 *
 * @example
 * ```ts
 * import { pairFilter } from "./list_filter.ts";
 * pairFilter(0x2, 0x2, 0x1, true); // true: ACTIVE requested and the object is active
 * pairFilter(0x2, 0x2, 0x1, false); // false
 * pairFilter(0, 0x2, 0x1, false); // true: no filter
 * ```
 */
export function pairFilter(flags: number, yes: number, no: number, value: boolean): boolean {
  const both = yes | no;
  if (!(flags & both) || (flags & both) === both) return true;
  return value ? (flags & yes) !== 0 : (flags & no) !== 0;
}
