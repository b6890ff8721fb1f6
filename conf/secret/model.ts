import { z } from "zod";

/** The usage types of libvirt 9.0 secrets (`passphrase` is newer and unknown to 9.0). */
export const SECRET_USAGE_TYPES = ["volume", "ceph", "iscsi", "tls", "vtpm"] as const;

/** A secret definition (virSecretDef). */
export const SecretDefSchema = z.strictObject({
  /** Canonical UUID, or '' when the XML had none (the caller generates one). */
  uuid: z.string(),
  ephemeral: z.boolean(),
  private: z.boolean(),
  description: z.string().optional(),
  usage: z.strictObject({
    type: z.enum(SECRET_USAGE_TYPES),
    volume: z.string().optional(),
    name: z.string().optional(),
    target: z.string().optional(),
  }).optional(),
});
/** A secret definition. */
export type SecretDef = z.infer<typeof SecretDefSchema>;
