import { z } from "zod";

const PageSchema = z.object({ size: z.number().int(), count: z.number().int() });

/** One NUMA cell of the host topology. */
export const NumaCellSchema = z.object({
  id: z.number().int(),
  /** KiB. */
  memory: z.number(),
  pages: z.array(PageSchema),
  cpus: z.array(z.object({
    id: z.number().int(),
    socketId: z.number().int(),
    dieId: z.number().int(),
    coreId: z.number().int(),
    siblings: z.string(),
  })),
});

/** One `<guest>`: an OS type and arch the driver can run. */
export const GuestCapSchema = z.object({
  osType: z.string(),
  arch: z.string(),
  wordsize: z.number().int(),
  emulator: z.string().optional(),
  machines: z.array(z.string()),
  domainTypes: z.array(z.string()),
  features: z.array(z.string()),
});

/** The host capabilities document (virCaps), as much of it as the drivers here report. */
export const CapabilitiesSchema = z.object({
  host: z.object({
    uuid: z.string().optional(),
    arch: z.string(),
    cpuFeatures: z.array(z.string()),
    /** Page sizes in KiB. */
    pageSizes: z.array(z.number().int()),
    powerManagement: z.array(z.string()),
    iommu: z.boolean(),
    cells: z.array(NumaCellSchema),
    secModels: z.array(z.object({ model: z.string(), doi: z.string() })),
  }),
  guests: z.array(GuestCapSchema),
});
/** Host capabilities. */
export type Capabilities = z.infer<typeof CapabilitiesSchema>;
/** A guest capability. */
export type GuestCap = z.infer<typeof GuestCapSchema>;
