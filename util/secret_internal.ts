/**
 * libvirt's `VIR_SECRET_GET_VALUE_INTERNAL_CALL`: the host's own drivers (the QEMU driver
 * preparing an encrypted disk) read a secret's value, private ones included, through the
 * secret driver's connection. The call is no contract method: a composed connection, and so the
 * gateway and every client, never has it.
 *
 * @module
 */
import type { SecretRef } from "./contract/types.ts";

/** A secret driver connection that answers internal value reads. */
export interface InternalSecretValue {
  /** The secret's value, whether private or not. */
  secretGetValueInternal(secret: SecretRef): Promise<number[]>;
}

/**
 * The internal value read of a secondary connection, if it has one.
 *
 * @example
 * ```ts
 * import { internalSecretValue } from "./secret_internal.ts";
 * internalSecretValue({}); // undefined
 * ```
 */
export function internalSecretValue(conn: object): InternalSecretValue | undefined {
  const c = conn as Partial<InternalSecretValue>;
  return typeof c.secretGetValueInternal === "function" ? c as InternalSecretValue : undefined;
}
