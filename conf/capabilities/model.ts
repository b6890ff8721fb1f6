import { z } from "zod";

const PageSchema = z.strictObject({ size: z.number().int(), count: z.number().int() });

/** One NUMA cell of the host topology. */
export const NumaCellSchema = z.strictObject({
  id: z.number().int(),
  /** KiB. */
  memory: z.number(),
  pages: z.array(PageSchema),
  cpus: z.array(z.strictObject({
    id: z.number().int(),
    socketId: z.number().int(),
    dieId: z.number().int(),
    coreId: z.number().int(),
    siblings: z.string(),
  })),
  /** `<distances>`: the NUMA distance to each cell (the QEMU driver's host; not the test driver). */
  distances: z.array(z.strictObject({ id: z.number().int(), value: z.number().int() })).optional(),
});

/** One `<guest>`: an OS type and arch the driver can run. */
export const GuestCapSchema = z.strictObject({
  osType: z.string(),
  arch: z.string(),
  wordsize: z.number().int(),
  emulator: z.string().optional(),
  /** Machine names, or a machine with what QEMU says of it (`canonical`, `maxCpus`, …). */
  machines: z.array(z.union([
    z.string(),
    z.strictObject({
      name: z.string(),
      canonical: z.string().optional(),
      maxCpus: z.number().int().optional(),
      deprecated: z.boolean().optional(),
    }),
  ])),
  domainTypes: z.array(z.string()),
  /** Feature flags, or a feature with its `default` and `toggle`. */
  features: z.array(z.union([
    z.string(),
    z.strictObject({ name: z.string(), default: z.boolean(), toggle: z.boolean() }),
  ])),
});

/** The host capabilities document (virCaps), as much of it as the drivers here report. */
export const CapabilitiesSchema = z.strictObject({
  host: z.strictObject({
    uuid: z.string().optional(),
    arch: z.string(),
    cpuFeatures: z.array(z.string()),
    /** Page sizes in KiB. */
    pageSizes: z.array(z.number().int()),
    powerManagement: z.array(z.string()),
    iommu: z.boolean(),
    cells: z.array(NumaCellSchema),
    secModels: z.array(z.strictObject({ model: z.string(), doi: z.string() })),
    /** What the host CPU is (`<cpu>` after the arch), where the driver reports it. */
    cpu: z.strictObject({
      /** The CPU map's model that describes the host CPU best, with `features` beyond it. */
      model: z.string().optional(),
      vendor: z.string().optional(),
      microcode: z.number().int().optional(),
      signature: z.strictObject({
        family: z.number().int(),
        model: z.number().int(),
        stepping: z.number().int(),
      }).optional(),
      topology: z.strictObject({
        sockets: z.number().int(),
        dies: z.number().int(),
        cores: z.number().int(),
        threads: z.number().int(),
      }).optional(),
      maxPhysAddrBits: z.number().int().optional(),
      features: z.array(z.string()).optional(),
    }).optional(),
    /** `<migration_features>`: live migration and its URI transports. */
    migration: z.strictObject({ live: z.boolean(), transports: z.array(z.string()) }).optional(),
    /** `<cache>` banks; `size` in `unit`s. */
    cache: z.array(z.strictObject({
      id: z.number().int(),
      level: z.number().int(),
      type: z.string(),
      size: z.number().int(),
      unit: z.string(),
      cpus: z.string(),
    })).optional(),
  }),
  guests: z.array(GuestCapSchema),
});
/** Host capabilities. */
export type Capabilities = z.infer<typeof CapabilitiesSchema>;
/** A guest capability. */
export type GuestCap = z.infer<typeof GuestCapSchema>;
