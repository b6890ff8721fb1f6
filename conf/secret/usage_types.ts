/**
 * The secret usage types alone, for evsh, which needs them at start-up without the model's zod
 * schemas.
 *
 * @example
 * ```ts
 * import { SECRET_USAGE_TYPES } from "./usage_types.ts";
 * SECRET_USAGE_TYPES.indexOf("ceph"); // 1
 * ```
 * @module
 */

/** The usage types of libvirt 9.0 secrets (`passphrase` is newer and unknown to 9.0). */
export const SECRET_USAGE_TYPES = ["volume", "ceph", "iscsi", "tls", "vtpm"] as const;
