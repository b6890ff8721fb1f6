import { z } from "zod";

import { SECRET_USAGE_TYPES } from "./usage_types.ts";
export { SECRET_USAGE_TYPES };

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
