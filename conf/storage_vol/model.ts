import { z } from "zod";
import { SecretLookupSchema, StoragePermsSchema } from "../storage_pool/mod.ts";

/** The volume types of libvirt 9.0 (virStorageVolType). */
export const VOL_TYPES = ["file", "block", "dir", "network", "netdir", "ploop"] as const;

/** A volume's `<encryption>`. */
export const VolEncryptionSchema = z.strictObject({
  format: z.enum(["default", "qcow", "luks", "luks2"]),
  /** Who decrypts: QEMU or librbd (unset: the default). */
  engine: z.enum(["qemu", "librbd"]).optional(),
  secrets: z.array(SecretLookupSchema),
  /** LUKS only: the `<cipher>` attributes (`size` in bits, as libvirt writes it). */
  cipher: z.strictObject({
    name: z.string(),
    size: z.string(),
    mode: z.string().optional(),
    hash: z.string().optional(),
  }).optional(),
  /** LUKS only, and only with a cipher: the `<ivgen>` attributes. */
  ivgen: z.strictObject({ name: z.string(), hash: z.string().optional() }).optional(),
});
/** Volume encryption. */
export type VolEncryption = z.infer<typeof VolEncryptionSchema>;

/**
 * A file's `<timestamps>` as a storage driver reports them (output only: libvirt never parses
 * them): seconds since the epoch, with nanoseconds when there are any.
 */
export const VolTimestampsSchema = z.strictObject({
  atime: z.string(),
  mtime: z.string(),
  ctime: z.string(),
  btime: z.string(),
});
/** Volume timestamps. */
export type VolTimestamps = z.infer<typeof VolTimestampsSchema>;

/** A storage volume definition (virStorageVolDef); sizes in bytes. */
export const StorageVolDefSchema = z.strictObject({
  name: z.string(),
  /** Set by the storage driver (the test driver: the volume path). */
  key: z.string().optional(),
  type: z.enum(VOL_TYPES),
  capacity: z.number(),
  allocation: z.number(),
  /** Bytes the file takes (libvirt's `target.physical`), set by a storage driver's probe. */
  physical: z.number().optional(),
  target: z.strictObject({
    path: z.string().optional(),
    format: z.string().optional(),
    permissions: StoragePermsSchema,
    timestamps: VolTimestampsSchema.optional(),
    encryption: VolEncryptionSchema.optional(),
    compat: z.string().optional(),
    clusterSize: z.number().optional(),
    features: z.array(z.string()).optional(),
    nocow: z.boolean().optional(),
  }),
  backingStore: z.strictObject({
    path: z.string(),
    format: z.string().optional(),
    permissions: StoragePermsSchema,
    timestamps: VolTimestampsSchema.optional(),
  }).optional(),
});
/** A storage volume definition. */
export type StorageVolDef = z.infer<typeof StorageVolDefSchema>;
