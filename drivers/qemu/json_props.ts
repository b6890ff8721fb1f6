/**
 * The argument kinds of libvirt's `virJSONValueObjectAdd` that QMP commands and JSON command-line
 * values are built with: optional members left out when unset (`S:`, `T:`, `A:`), and
 * tristate switches as booleans (`T:`).
 *
 * @module
 */

/**
 * Drops the members whose value is undefined, keeping the order of the others.
 *
 * @example
 * ```ts
 * import { definedProps } from "./json_props.ts";
 * definedProps({ id: "a", path: undefined }); // { id: "a" }
 * ```
 */
export function definedProps(props: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined));
}

/**
 * A `yes`/`no` or `on`/`off` attribute as a JSON boolean, absent when unset.
 *
 * @example
 * ```ts
 * import { switchBool } from "./json_props.ts";
 * switchBool("on"); // true
 * switchBool(undefined); // undefined
 * ```
 */
export function switchBool(value: string | undefined): boolean | undefined {
  return value === undefined ? undefined : value === "yes" || value === "on";
}
