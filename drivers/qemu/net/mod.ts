/**
 * The QEMU driver's NICs on the host's networks: network ports, taps on bridges, addresses.
 *
 * @example
 * ```ts
 * import { tapMac } from "./mod.ts";
 * tapMac("52:54:00:00:00:01"); // "fe:54:00:00:00:01"
 * ```
 * @module
 */
export * from "./addresses.ts";
export * from "./api.ts";
export * from "./link.ts";
export * from "./nics.ts";
export * from "./port.ts";
export * from "./tap.ts";
