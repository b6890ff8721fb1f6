/**
 * QEMU's option syntax: `key=value,key=value`, where a literal comma inside a value is
 * written twice. Every user-controlled string goes through {@link optValue}, so a name or
 * path can never inject another option.
 *
 * @module
 */

/**
 * A value safe to place after `key=` in a QEMU option string.
 *
 * @example
 * ```ts
 * import { optValue } from "./escape.ts";
 * optValue("/var/a,b.img"); // "/var/a,,b.img"
 * ```
 */
export function optValue(value: string): string {
  return value.replaceAll(",", ",,");
}
