/**
 * The QEMU command line of a domain.
 *
 * @example
 * ```ts
 * import { buildQemuArgv, optValue } from "./mod.ts";
 * optValue("a,b"); // "a,,b"
 * ```
 * @module
 */
export * from "./argv.ts";
export * from "./escape.ts";
