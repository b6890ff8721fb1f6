import { z } from "zod";
import { PciAddressSchema } from "../common/mod.ts";
import { StoragePermsSchema } from "./permissions.ts";
import { POOL_TYPES } from "./pool_types.ts";

/** `<secret uuid|usage [type]/>` as storage auth and encryption refer to secrets. */
export const SecretLookupSchema = z.strictObject({
  type: z.string().optional(),
  uuid: z.string().optional(),
  usage: z.string().optional(),
});
/** A reference to a secret. */
export type SecretLookup = z.infer<typeof SecretLookupSchema>;

/** `<auth>` of a pool source. */
export const StorageAuthSchema = z.strictObject({
  type: z.enum(["chap", "ceph"]).optional(),
  username: z.string(),
  secret: SecretLookupSchema,
});

/** `<adapter>` of a scsi pool. */
export const StorageAdapterSchema = z.union([
  z.strictObject({
    type: z.literal("fc_host"),
    parent: z.string().optional(),
    parentWwnn: z.string().optional(),
    parentWwpn: z.string().optional(),
    parentFabricWwn: z.string().optional(),
    managed: z.boolean().optional(),
    wwnn: z.string(),
    wwpn: z.string(),
  }),
  z.strictObject({
    type: z.literal("scsi_host"),
    name: z.string().optional(),
    parentAddr: z.strictObject({ uniqueId: z.number().int(), address: PciAddressSchema })
      .optional(),
  }),
]);

/** A pool's `<source>`. */
export const StoragePoolSourceSchema = z.strictObject({
  hosts: z.array(z.strictObject({ name: z.string(), port: z.number().int().optional() })),
  devices: z.array(z.strictObject({ path: z.string(), partSeparator: z.boolean().optional() })),
  dir: z.string().optional(),
  adapter: StorageAdapterSchema.optional(),
  name: z.string().optional(),
  initiatorIqn: z.string().optional(),
  format: z.string().optional(),
  auth: StorageAuthSchema.optional(),
  protocolVer: z.string().optional(),
  vendor: z.string().optional(),
  product: z.string().optional(),
});

/** A storage pool definition (virStoragePoolDef); sizes in bytes. */
export const StoragePoolDefSchema = z.strictObject({
  type: z.enum(POOL_TYPES),
  name: z.string(),
  /** Canonical UUID, or '' when the XML had none (the caller generates one). */
  uuid: z.string(),
  capacity: z.number(),
  allocation: z.number(),
  available: z.number(),
  source: StoragePoolSourceSchema,
  target: z.strictObject({ path: z.string().optional(), permissions: StoragePermsSchema }),
  refreshVolumeAllocation: z.enum(["default", "capacity"]).optional(),
  /** `<features><cow state>`: copy-on-write for the pool's files (fs and dir pools). */
  cow: z.enum(["yes", "no"]).optional(),
});
/** A storage pool definition. */
export type StoragePoolDef = z.infer<typeof StoragePoolDefSchema>;
/** A storage pool source. */
export type StoragePoolSource = z.infer<typeof StoragePoolSourceSchema>;
/** Storage `<auth>`. */
export type StorageAuth = z.infer<typeof StorageAuthSchema>;
/** A scsi pool adapter. */
export type StorageAdapter = z.infer<typeof StorageAdapterSchema>;
