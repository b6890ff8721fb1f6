/**
 * The libvirt release edgevirt answers as (`LIBVIR_VERSION_NUMBER`: major * 1,000,000 +
 * minor * 1,000 + micro), the one whose behaviour and wording it follows: 9.0.0.
 *
 * @example
 * ```ts
 * import { LIBVIRT_VERSION } from "./lib_version.ts";
 * const major = Math.floor(LIBVIRT_VERSION / 1_000_000); // 9
 * ```
 */
export const LIBVIRT_VERSION = 9_000_000;
