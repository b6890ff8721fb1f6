import { z } from "zod";

/** `<capability type='system'>`: the host's hardware and firmware. */
export const SystemCapSchema = z.strictObject({
  type: z.literal("system"),
  product: z.string().optional(),
  hardware: z.strictObject({
    vendor: z.string().optional(),
    version: z.string().optional(),
    serial: z.string().optional(),
    uuid: z.string(),
  }),
  firmware: z.strictObject({
    vendor: z.string().optional(),
    version: z.string().optional(),
    releaseDate: z.string().optional(),
  }),
});

/** `<capability type='scsi_host'>` with its optional fc_host and vport_ops sub-capabilities. */
export const ScsiHostCapSchema = z.strictObject({
  type: z.literal("scsi_host"),
  host: z.number().int(),
  uniqueId: z.number().int().optional(),
  fcHost: z.strictObject({
    wwnn: z.string(),
    wwpn: z.string(),
    fabricWwn: z.string().optional(),
  }).optional(),
  vportOps: z.strictObject({ maxVports: z.number().int(), vports: z.number().int() }).optional(),
});

/** A node device capability. */
export const NodeDeviceCapSchema = z.discriminatedUnion("type", [
  SystemCapSchema,
  ScsiHostCapSchema,
]);

/** A node device definition (virNodeDeviceDef). */
export const NodeDeviceDefSchema = z.strictObject({
  name: z.string(),
  parent: z.string().optional(),
  caps: z.array(NodeDeviceCapSchema),
});
/** A node device definition. */
export type NodeDeviceDef = z.infer<typeof NodeDeviceDefSchema>;
/** A node device capability. */
export type NodeDeviceCap = z.infer<typeof NodeDeviceCapSchema>;
