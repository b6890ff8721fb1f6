/**
 * The domain definition model (libvirt's `virDomainDef`) as plain JSON with a zod schema.
 * Parts other drivers reason about are typed fields; sections libvirt only round-trips are kept
 * as normalised XML element trees ({@link XmlElementSchema}), already reduced to what libvirt 9.0
 * knows and in libvirt's output order.
 *
 * @example
 * ```ts
 * import { DomainDefSchema } from "./def.ts";
 * import { z } from "zod";
 * const jsonSchema = z.toJSONSchema(DomainDefSchema);
 * ```
 * @module
 */
import { z } from "zod";
import { INTERFACE_TYPES } from "./names.ts";
import { XML_CHARS, XML_NAME } from "../../util/xml/chars.ts";
import { QemuNamespaceSchema } from "./qemu_namespace.ts";
export { INTERFACE_TYPES };

/** Text an XML document may carry (a JSON tree's text and values are written as XML). */
const xmlText = z.string().regex(XML_CHARS, "has a character XML does not allow");
/** An element or attribute name XML can spell. */
const xmlName = z.string().regex(XML_NAME, "not an XML name");

/** Text or CDATA node of a kept XML tree. */
export const XmlTextSchema = z.strictObject({
  type: z.enum(["text", "cdata"]),
  text: xmlText,
});

/** Comment node (kept only inside `<metadata>`). */
export const XmlCommentSchema = z.strictObject({ type: z.literal("comment"), text: xmlText });

/**
 * A JSON XML element, structurally identical to `util/xml`'s `XmlElement`.
 *
 * @example
 * ```ts
 * import { XmlElementSchema } from "./def.ts";
 * XmlElementSchema.parse({ type: "element", name: "acpi", attributes: {}, children: [] });
 * ```
 */
export const XmlElementSchema = z.strictObject({
  type: z.literal("element"),
  name: xmlName,
  attributes: z.record(xmlName, xmlText),
  get children(): z.ZodArray<z.ZodType<XmlNodeJSON>> {
    return z.array(XmlNodeSchema);
  },
  line: z.number().optional(),
});

/** Any node of a kept XML tree. */
export const XmlNodeSchema: z.ZodType<XmlNodeJSON> = z.lazy(() =>
  z.union([XmlElementSchema, XmlTextSchema, XmlCommentSchema])
);

/** JSON form of an XML node. */
export type XmlNodeJSON =
  | {
    type: "element";
    name: string;
    attributes: Record<string, string>;
    children: XmlNodeJSON[];
    line?: number;
  }
  | z.infer<typeof XmlTextSchema>
  | z.infer<typeof XmlCommentSchema>;

/** JSON form of an XML element. */
export type XmlElementJSON = Extract<XmlNodeJSON, { type: "element" }>;

/**
 * `<memory>`, `<currentMemory>`, `<maxMemory>`; sizes in KiB.
 *
 * @example
 * ```ts
 * import { DomainMemorySchema } from "./def.ts";
 * DomainMemorySchema.parse({ total: 1024, current: 1024 });
 * ```
 */
export const DomainMemorySchema = z.strictObject({
  total: z.number(),
  current: z.number(),
  max: z.strictObject({ size: z.number(), slots: z.number().optional() }).optional(),
  dumpCore: z.string().optional(),
});

/**
 * `<vcpu>`: `max` is the element text, `current` its `current` attribute (default `max`).
 *
 * @example
 * ```ts
 * import { DomainVcpuSchema } from "./def.ts";
 * DomainVcpuSchema.parse({ max: 4, current: 2, placement: "static" });
 * ```
 */
export const DomainVcpuSchema = z.strictObject({
  max: z.number(),
  current: z.number(),
  placement: z.string().optional(),
  cpuset: z.string().optional(),
});

/**
 * One `<vcpus><vcpu/>` entry.
 *
 * @example
 * ```ts
 * import { DomainVcpuInfoSchema } from "./def.ts";
 * DomainVcpuInfoSchema.parse({ id: 0, enabled: true, hotpluggable: false, order: 1 });
 * ```
 */
export const DomainVcpuInfoSchema = z.strictObject({
  id: z.number(),
  enabled: z.boolean(),
  hotpluggable: z.boolean(),
  order: z.number().optional(),
});

/**
 * `<os>`. Children other than `<type>` and `<boot>` are kept as element trees in `extra`, in
 * libvirt's order.
 *
 * @example
 * ```ts
 * import { DomainOsSchema } from "./def.ts";
 * DomainOsSchema.parse({ type: "hvm", arch: "x86_64", boot: ["hd"], extra: [] });
 * ```
 */
export const DomainOsSchema = z.strictObject({
  type: z.string(),
  arch: z.string().optional(),
  machine: z.string().optional(),
  firmware: z.string().optional(),
  boot: z.array(z.string()).optional(),
  /** Every other known child (`loader`, `kernel`, `bootmenu`, …) as an element tree. */
  extra: z.array(XmlElementSchema),
});

/**
 * An `<interface>`'s `<source>` attributes: those libvirt reads for the interface's type as
 * fields, and any other attribute (a `udp` or `mcast` address and port, a `vhostuser` path) kept
 * under its XML name.
 */
export const InterfaceSourceSchema = z.strictObject({
  network: z.string().optional().describe("type network: the virtual network's name"),
  portgroup: z.string().optional().describe("type network: the port group"),
  bridge: z.string().optional().describe("type bridge: the host bridge"),
  dev: z.string().optional().describe("type direct or vdpa: the host device"),
  mode: z.string().optional().describe("type direct: vepa, bridge, private or passthrough"),
  name: z.string().optional().describe("type internal: the internal network"),
}).catchall(z.string());

/**
 * A network `<interface>`. `source` keeps the source element's attributes; `extra` holds the
 * remaining known children as element trees.
 *
 * @example
 * ```ts
 * import { DomainInterfaceSchema } from "./def.ts";
 * DomainInterfaceSchema.parse({ type: "network", mac: "52:54:00:11:22:33", extra: [] });
 * ```
 */
export const DomainInterfaceSchema = z.strictObject({
  type: z.enum(INTERFACE_TYPES),
  trustGuestRxFilters: z.enum(["yes", "no"]).optional().describe(
    "Whether the host trusts the guest's receive filter changes",
  ),
  mac: z.string().optional().describe("The MAC address; generated on define when absent"),
  macType: z.string().optional(),
  macCheck: z.string().optional(),
  source: InterfaceSourceSchema.optional(),
  hostIP: z.array(XmlElementSchema).optional().describe(
    "The <ip>s and <route>s of <source>: the host side's addresses (an ethernet tap's)",
  ),
  sourceReconnect: XmlElementSchema.optional().describe(
    "<source><reconnect>: whether a vhost-user client reconnects, and after how long",
  ),
  sourceLocal: z.strictObject({ address: z.string(), port: z.string() }).optional().describe(
    "<source><local address port>: the local end of a udp socket interface",
  ),
  hostdevSource: XmlElementSchema.optional().describe(
    "A hostdev interface's <source>: the host's PCI or USB device it passes through",
  ),
  managed: z.literal("yes").optional().describe(
    "<interface type='hostdev' managed='yes'>: libvirt detaches the device from the host",
  ),
  /** `<target dev>` */
  target: z.string().optional().describe("<target dev>: the host-side device name"),
  targetManaged: z.enum(["yes", "no"]).optional().describe(
    "<target managed>: whether libvirt makes the tap (no: an existing one, type ethernet only)",
  ),
  model: z.string().optional().describe("<model type>: virtio, e1000e, rtl8139, …"),
  /** Every other known child, in libvirt's order. */
  extra: z.array(XmlElementSchema),
}).meta({
  description: "A network <interface> (NIC); its other children in extra",
  examples: [{
    type: "network",
    mac: "52:54:00:11:22:33",
    source: { network: "default" },
    model: "virtio",
    extra: [],
  }, { type: "bridge", source: { bridge: "br0" }, model: "virtio", extra: [] }],
});

/**
 * `<vcpu>`-count-free CPU topology.
 *
 * @example
 * ```ts
 * import { DomainCpuTopologySchema } from "./def.ts";
 * DomainCpuTopologySchema.parse({ sockets: 1, dies: 1, cores: 2, threads: 1 });
 * ```
 */
export const DomainCpuTopologySchema = z.strictObject({
  sockets: z.number(),
  dies: z.number(),
  cores: z.number(),
  threads: z.number(),
});

/**
 * `<clock>` with its timers kept as element trees.
 *
 * @example
 * ```ts
 * import { DomainClockSchema } from "./def.ts";
 * DomainClockSchema.parse({ offset: "utc", timers: [] });
 * ```
 */
export const DomainClockSchema = z.strictObject({
  offset: z.string(),
  adjustment: z.string().optional(),
  basis: z.string().optional(),
  timezone: z.string().optional(),
  start: z.string().optional(),
  timers: z.array(XmlElementSchema),
});

/**
 * `<devices>`: one list per device kind, in libvirt's format order. Interfaces are typed;
 * other devices are normalised element trees.
 *
 * @example
 * ```ts
 * import { DomainDevicesSchema } from "./def.ts";
 * DomainDevicesSchema.parse({ interfaces: [], other: [] });
 * ```
 */
export const DomainDevicesSchema = z.strictObject({
  emulator: z.string().optional(),
  interfaces: z.array(DomainInterfaceSchema),
  /** Every other device, as element trees (`disk`, `controller`, `video`, …). */
  other: z.array(XmlElementSchema),
});

/**
 * The whole domain definition.
 *
 * @example
 * ```ts
 * import { DomainDefSchema } from "./def.ts";
 * const ok = DomainDefSchema.safeParse({}).success; // false
 * ```
 */
export const DomainDefSchema = z.strictObject({
  type: z.string(),
  id: z.number(),
  name: z.string(),
  uuid: z.string(),
  genid: z.string().optional(),
  title: z.string().optional(),
  description: z.string().optional(),
  metadata: XmlElementSchema.optional(),
  memory: DomainMemorySchema,
  vcpu: DomainVcpuSchema,
  vcpus: z.array(DomainVcpuInfoSchema).optional(),
  iothreads: z.number().optional(),
  /**
   * The IOThread ids libvirt filled in itself (`autofill`) while `<iothreadids>` lists them all;
   * without that list every id is filled in. libvirt stops listing them once all are filled in.
   */
  iothreadsFilled: z.array(z.number()).optional(),
  os: DomainOsSchema,
  cpu: z.strictObject({
    mode: z.string().optional(),
    match: z.string().optional(),
    check: z.string().optional(),
    migratable: z.string().optional(),
    topology: DomainCpuTopologySchema.optional(),
    /** Other known children of `<cpu>` (`model`, `feature`, `cache`, `numa`, …). */
    extra: z.array(XmlElementSchema),
  }).optional(),
  clock: DomainClockSchema.optional(),
  onPoweroff: z.string().optional(),
  onReboot: z.string().optional(),
  onCrash: z.string().optional(),
  onLockfailure: z.string().optional(),
  devices: DomainDevicesSchema,
  /**
   * Every other known top-level section (`cputune`, `numatune`, `features`, `seclabel`, …),
   * normalised, in libvirt's order.
   */
  sections: z.array(XmlElementSchema),
  /** The QEMU driver's XML namespace (`<qemu:commandline>`, …); no other driver reads it. */
  qemuNamespace: QemuNamespaceSchema.optional(),
});

/** A parsed domain definition. */
export type DomainDef = z.infer<typeof DomainDefSchema>;
/** A parsed `<interface>`. */
export type DomainInterface = z.infer<typeof DomainInterfaceSchema>;
/** A parsed `<vcpus><vcpu/>`. */
export type DomainVcpuInfo = z.infer<typeof DomainVcpuInfoSchema>;
